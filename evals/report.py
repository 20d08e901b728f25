"""Renders an evaluation: markdown tables (report.md) and a grouped bar chart of the metrics (report.png).

Every evaluation (`evals.summary.Evaluation`) gets the same layout: the chart, retriever × metrics and latency,
the same by language, then the evaluation's own detail sections.
"""

from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from evals.summary import Evaluation, Score

REPORT_MD = "report.md"
REPORT_PNG = "report.png"
LABELS = {"ndcg": "nDCG", "recall": "Recall", "mrr": "MRR"}
SUPERSCRIPTS = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖqʳˢᵗᵘᵛʷˣʸᶻ")
UNDEFINED = "–"
LEGEND_COLUMNS = 4
LEGEND_FONT = 8


def metric_label(metric: str) -> str:
    """`ndcg@10` → `nDCG@10`; names without a cut-off stay as the JSON spells them."""
    name, at, cutoff = metric.partition("@")
    return f"{LABELS.get(name, name)}{at}{cutoff}"


def number(value: Score, decimals: int = 4) -> str:
    return UNDEFINED if value is None else f"{value:.{decimals}f}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table(header: list[str], rows: list[list[str]], text_columns: int = 1) -> str:
    """A markdown table: the first `text_columns` columns left-aligned, the numbers after them right-aligned."""
    rule = ["---" if i < text_columns else "---:" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(rule) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _letters(result: Evaluation) -> dict[str, str]:
    return {name: chr(ord("a") + i) for i, name in enumerate(result.retrievers)}


def summary_table(result: Evaluation) -> str:
    """Retriever × metrics and latency; a superscript letter marks a retriever this one beats significantly."""
    letters = _letters(result)
    header = ["Retriever"] + [metric_label(m) for m in result.metrics] + ["p50 ms", "p95 ms"]
    rows = []
    for name, r in result.retrievers.items():
        marks = {m: "".join(letters[o] for o in r.better_than.get(m, [])).translate(SUPERSCRIPTS) for m in result.metrics}
        label = f"{name} ({letters[name]})" if len(result.retrievers) > 1 else name
        rows.append([label] + [number(r.metrics[m]) + marks[m] for m in result.metrics] + [f"{r.p50_ms:.1f}", f"{r.p95_ms:.1f}"])
    return table(header, rows)


def language_table(result: Evaluation) -> str:
    header = ["Retriever", "Language", result.counted.capitalize()] + [metric_label(m) for m in result.metrics]
    rows = [
        [name, lang, str(result.languages[lang])] + [number(scores[m]) for m in result.metrics]
        for name, r in result.retrievers.items()
        for lang, scores in r.by_lang.items()
    ]
    return table(header, rows, text_columns=2)


def markdown(result: Evaluation, chart: str | None = REPORT_PNG) -> str:
    lines = [f"# {result.title}: {result.dataset}", "", result.intro(), ""]
    if chart:
        lines += [f"![metrics per retriever]({chart})", ""]
    lines += ["## Retrievers", "", summary_table(result), ""]
    if len(result.retrievers) > 1 and result.significance_p is not None:
        lines += [
            f"A superscript letter marks a retriever this one beats on that metric (paired t-test, p < {result.significance_p}).",
            "",
        ]
    lines += ["## By language", "", language_table(result), ""]
    lines += result.details()
    return "\n".join(lines).rstrip() + "\n"


def _legend_columns(metrics: list[str], inches: float) -> int:
    """As many legend entries a row as fit the figure's width (about 0.6 em a character, 30 pt for the patch)."""
    entry_points = 0.6 * LEGEND_FONT * max(len(metric_label(m)) for m in metrics) + 30
    return max(1, min(len(metrics), LEGEND_COLUMNS, int(inches * 72 // entry_points)))


def chart(result: Evaluation, path: Path) -> None:
    """Grouped bars: one group per retriever, one bar per metric, values printed on the bars."""
    names = list(result.retrievers)
    width = 0.8 / len(result.metrics)
    inches = max(6.0, (0.4 + 0.35 * len(result.metrics)) * len(names) + 2)
    figure = Figure(figsize=(inches, 4.5), dpi=120)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for i, metric in enumerate(result.metrics):
        xs = [j + (i - (len(result.metrics) - 1) / 2) * width for j in range(len(names))]
        values = [result.retrievers[n].metrics[metric] for n in names]
        bars = axes.bar(xs, [v or 0.0 for v in values], width, label=metric_label(metric))
        axes.bar_label(bars, labels=[number(v, 2) for v in values], fontsize=7, padding=2)
    axes.set_xticks(range(len(names)), names)
    axes.set_ylim(0, 1.1)
    axes.set_ylabel("score")
    axes.set_title(f"{result.dataset}: {result.count} {result.counted}")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncols=_legend_columns(result.metrics, inches), fontsize=LEGEND_FONT, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    figure.savefig(path, format="png")


def write(result: Evaluation, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    chart(result, out_dir / REPORT_PNG)
    path = out_dir / REPORT_MD
    path.write_text(markdown(result), encoding="utf-8")
    return path
