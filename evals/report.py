"""Renders an evaluation: markdown tables (report.md) and a grouped bar chart of the metrics (report.png)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from evals.harness import EvalResult

REPORT_MD = "report.md"
REPORT_PNG = "report.png"
LABELS = {"ndcg": "nDCG", "recall": "Recall", "mrr": "MRR"}
SUPERSCRIPTS = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖqʳˢᵗᵘᵛʷˣʸᶻ")


def metric_label(metric: str) -> str:
    name, _, cutoff = metric.partition("@")
    return f"{LABELS.get(name, name)}@{cutoff}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[str]], text_columns: int = 1) -> str:
    """A markdown table: the first `text_columns` columns left-aligned, the numbers after them right-aligned."""
    rule = ["---" if i < text_columns else "---:" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(rule) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _letters(result: EvalResult) -> dict[str, str]:
    return {name: chr(ord("a") + i) for i, name in enumerate(result.retrievers)}


def summary_table(result: EvalResult) -> str:
    """Retriever × metrics and latency; a superscript letter marks a retriever this one beats significantly."""
    letters = _letters(result)
    header = ["Retriever"] + [metric_label(m) for m in result.metrics] + ["p50 ms", "p95 ms"]
    rows = []
    for name, r in result.retrievers.items():
        marks = {m: "".join(letters[o] for o in r.better_than[m]).translate(SUPERSCRIPTS) for m in result.metrics}
        label = f"{name} ({letters[name]})" if len(result.retrievers) > 1 else name
        rows.append([label] + [f"{r.metrics[m]:.4f}{marks[m]}" for m in result.metrics] + [f"{r.p50_ms:.1f}", f"{r.p95_ms:.1f}"])
    return _table(header, rows)


def language_table(result: EvalResult) -> str:
    header = ["Retriever", "Language", "Queries"] + [metric_label(m) for m in result.metrics]
    rows = [
        [name, lang, str(result.languages[lang])] + [f"{scores[m]:.4f}" for m in result.metrics]
        for name, r in result.retrievers.items()
        for lang, scores in r.by_lang.items()
    ]
    return _table(header, rows, text_columns=2)


def _misses(result: EvalResult) -> list[str]:
    lines = [f"## Misses: a grade-2 gold unit not in the top {result.k}", ""]
    for name, r in result.retrievers.items():
        lines.append(f"### {name}: {len(r.misses)} of {result.graded_queries} queries with a grade-2 gold")
        lines.append("")
        if not r.misses:
            lines += ["None.", ""]
            continue
        rows = []
        for miss in r.misses:
            gold = ", ".join(f"{uid} ({'rank ' + str(rank) if rank else f'not in top {result.depth}'})" for uid, rank in miss.missing)
            rows.append([miss.query_id, miss.lang, miss.text, gold, ", ".join(miss.top) or "(no results)"])
        lines += [_table(["Query", "Lang", "Text", "Missing gold", "Ranked first"], rows, text_columns=5), ""]
    return lines


def markdown(result: EvalResult, chart: str | None = REPORT_PNG) -> str:
    langs = ", ".join(f"{lang}: {n}" for lang, n in result.languages.items())
    lines = [
        f"# Retrieval evaluation: {result.dataset}",
        "",
        f"{result.queries} queries ({langs}); top {result.depth} units fetched per query; "
        "graded relevance (2 = the answer, 1 = relevant), scored with ranx.",
        "",
    ]
    if chart:
        lines += [f"![metrics per retriever]({chart})", ""]
    lines += ["## Retrievers", "", summary_table(result), ""]
    if len(result.retrievers) > 1:
        lines += [
            f"A superscript letter marks a retriever this one beats on that metric (paired t-test, p < {result.significance_p}).",
            "",
        ]
    lines += ["## By language", "", language_table(result), ""]
    lines += ["## Gold units not in the index", ""]
    if result.missing_gold:
        lines += ["Scored as misses for every retriever; fix the dataset or index the source:", ""]
        lines += [f"- `{uid}`" for uid in result.missing_gold] + [""]
    else:
        lines += ["None.", ""]
    lines += _misses(result)
    return "\n".join(lines).rstrip() + "\n"


def chart(result: EvalResult, path: Path) -> None:
    """Grouped bars: one group per retriever, one bar per metric, values printed on the bars."""
    names = list(result.retrievers)
    width = 0.8 / len(result.metrics)
    figure = Figure(figsize=(max(6.0, 1.8 * len(names) + 2), 4.5), dpi=120)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for i, metric in enumerate(result.metrics):
        xs = [j + (i - (len(result.metrics) - 1) / 2) * width for j in range(len(names))]
        values = [result.retrievers[n].metrics[metric] for n in names]
        bars = axes.bar(xs, values, width, label=metric_label(metric))
        axes.bar_label(bars, fmt="%.2f", fontsize=7, padding=2)
    axes.set_xticks(range(len(names)), names)
    axes.set_ylim(0, 1.1)
    axes.set_ylabel("score")
    axes.set_title(f"{result.dataset}: {result.queries} queries")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncols=len(result.metrics), fontsize=8, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    figure.savefig(path, format="png")


def write(result: EvalResult, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    chart(result, out_dir / REPORT_PNG)
    path = out_dir / REPORT_MD
    path.write_text(markdown(result), encoding="utf-8")
    return path
