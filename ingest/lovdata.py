"""Reader for Lovdata's public-data format (HTML5 written as XML, one file per act or regulation).

lxml parses the markup; walking Lovdata's structure (sections, `legalArticle`, `legalP`,
amendment notes, footnotes) is Lovdata-specific and no library knows it, so it is written here.
"""

import re
import tarfile
from dataclasses import dataclass
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from corpus.units import DocumentInfo, ParsedDocument, Unit
from ingest.failures import ReadFailure, SourceError, parse_or_fail, read_file

LOVDATA_BASE = "https://lovdata.no/dokument/"

# Parts of a Lovdata document that hold EU text under its own numbering: data-name prefix -> (CELEX, id stem).
EMBEDDED_EU_ACTS = {"gdpr": ("32016R0679", "art")}

_OUT_OF_TEXT = {"changesToParent", "footnotes", "footnote", "footnotereference", "legalArticleHeader"}
_PARAGRAPH_CLASSES = {"legalP", "numberedLegalP", "defaultP"}
_ANNEX = re.compile(r"Vedlegg\s+(\w+)")
_SPACE = re.compile(r"[ \t\r\f\v\u00a0]+")


class LovdataError(SourceError):
    """A file that is not a readable Lovdata document; the message names what is wrong."""


def _classes(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split())


def _clean(text: str) -> str:
    return "\n".join(_SPACE.sub(" ", line).strip() for line in text.splitlines() if line.strip())


def _text(el: etree._Element) -> str:
    """Visible text of an element, without amendment notes and footnote marks; list items on their own lines."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if not isinstance(node.tag, str) or _classes(node) & _OUT_OF_TEXT:
            return
        if node.tag == "li":
            parts.append("\n" + (node.get("data-name") or "") + " ")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return _clean("".join(parts))


def _key_info(root: etree._Element, name: str) -> str:
    found = root.xpath(f'//dl[contains(@class,"data-document-key-info")]/dd[contains(concat(" ",@class," ")," {name} ")]')
    return _clean(_text(found[0])) if found else ""


def _heading_path(article: etree._Element) -> str:
    """The chapter/part headings above a provision, outermost first."""
    titles = []
    for section in article.iterancestors("section"):
        head = next((c for c in section if isinstance(c.tag, str) and re.fullmatch(r"h[1-6]", c.tag)), None)
        if head is not None:
            titles.append(_text(head))
    return " > ".join(reversed(titles))


def _paragraphs(article: etree._Element) -> tuple[str, ...]:
    paragraphs = []
    for child in article:
        if not isinstance(child.tag, str) or _classes(child) & _OUT_OF_TEXT:
            continue
        text = _text(child)
        if text and (_classes(child) & _PARAGRAPH_CLASSES or child.tag in {"p", "ol", "ul", "table", "div"}):
            paragraphs.append(text)
    return tuple(paragraphs)


def _unit_id(legacy_id: str, data_name: str) -> tuple[str, str]:
    """Canonical id and owning document: `LOV-1999-07-02-64/§29c`, or `32016R0679/art9` for embedded GDPR."""
    prefix, _, rest = data_name.partition("/")
    if rest and prefix in EMBEDDED_EU_ACTS and (number := re.fullmatch(r"a(\d+)", rest)):
        celex, stem = EMBEDDED_EU_ACTS[prefix]
        return f"{celex}/{stem}{number.group(1)}", celex
    return f"{legacy_id}/{data_name}", legacy_id


@dataclass(frozen=True)
class Annex:
    """A «Vedlegg» section: its number, and what the heading says it holds (a convention; its authentic English text)."""

    number: str
    kind: str | None
    language: str | None


def _annex(article: etree._Element) -> Annex | None:
    for section in article.iterancestors("section"):
        head = next((c for c in section if isinstance(c.tag, str) and re.fullmatch(r"h[1-6]", c.tag)), None)
        if head is not None and (match := _ANNEX.match(_text(head))):
            heading = _text(head)
            return Annex(
                number=match.group(1),
                kind="konvensjon" if re.search(r"konvensjon|convention", heading, re.I) else None,
                language="en" if re.search(r"engelsk tekst|english text", heading, re.I) else None,
            )
    return None


def _label(article: etree._Element, data_name: str, annex: Annex | None) -> str:
    """«§ 29»; «art. 9» for the GDPR it carries; «vedlegg 1 art. 10» for an annexed convention's article, which a
    bare «Art 10» would pass off as the act's own."""
    value = article.xpath('./*[contains(@class,"legalArticleHeader")]//*[contains(@class,"legalArticleValue")]')
    printed = _text(value[0]) if value else data_name
    if data_name.partition("/")[0] in EMBEDDED_EU_ACTS and (number := re.search(r"\d+", printed)):
        return f"art. {number.group(0)}"
    if annex is not None:
        article_number = re.fullmatch(r"Art\.?\s*(\w+)", printed)
        return f"vedlegg {annex.number} " + (f"art. {article_number.group(1)}" if article_number else printed)
    return printed


def parse_lovdata(data: bytes, origin: str) -> ParsedDocument:
    """Read one Lovdata document. Raises LovdataError for a truncated, empty or foreign file."""
    if not data.strip():
        raise LovdataError(f"{origin}: empty file")
    if not data.rstrip().endswith(b"</html>"):
        raise LovdataError(f"{origin}: truncated (no closing </html>)")
    try:
        root = etree.fromstring(data, etree.HTMLParser(encoding="utf-8"))
    except (etree.ParserError, ValueError) as exc:
        raise LovdataError(f"{origin}: not parseable as Lovdata XML/HTML ({exc})") from exc
    if root is None:
        raise LovdataError(f"{origin}: not parseable as Lovdata XML/HTML")
    legacy_id = _key_info(root, "legacyID")
    if not legacy_id:
        raise LovdataError(f"{origin}: no Lovdata key-info block (legacyID missing)")

    footnotes = {
        note.get("data-unique-footnote-counter"): _clean("".join(note.itertext()))
        for note in root.xpath('//article[contains(@class,"footnote")][@data-unique-footnote-counter]')
    }
    info = DocumentInfo(
        id=legacy_id,
        title=_key_info(root, "title") or legacy_id,
        short_title=_key_info(root, "titleShort"),
        dokid=_key_info(root, "dokid"),
        ministries=tuple(li.text.strip() for li in root.xpath('//dd[contains(@class,"ministry")]//li') if li.text),
        in_force=_key_info(root, "dateInForce"),
        last_changed=_key_info(root, "lastChangeInForce"),
        last_changed_by=_key_info(root, "lastChangedBy"),
        language="nn" if (root.get("lang") or "").startswith("nn") else "nb",
    )

    units: list[Unit] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for order, article in enumerate(root.xpath('//article[contains(concat(" ",@class," ")," legalArticle ")]')):
        data_name = article.get("data-name")
        if not data_name:
            warnings.append(f"{origin}: provision #{order} has no data-name; skipped")
            continue
        unit_id, document_id = _unit_id(legacy_id, data_name)
        if unit_id in seen:
            warnings.append(f"{origin}: duplicate provision {data_name}; kept the first")
            continue
        seen.add(unit_id)
        title = article.xpath('./*[contains(@class,"legalArticleHeader")]//*[contains(@class,"legalArticleTitle")]')
        own_notes = [n for n in article.xpath('.//*[contains(@class,"footnotereference")]')
                     if n.xpath('ancestor::article[contains(concat(" ",@class," ")," legalArticle ")][1]')[0] is article]
        annex = _annex(article)
        units.append(
            Unit(
                id=unit_id,
                document_id=document_id,
                label=_label(article, data_name, annex),
                title=_text(title[0]) if title else "",
                paragraphs=_paragraphs(article),
                url=LOVDATA_BASE + (article.get("data-lovdata-url") or f"{info.dokid}/{data_name}"),
                heading=_heading_path(article),
                order=order,
                notes=tuple(_clean("".join(n.itertext())) for n in article.xpath('./*[contains(@class,"changesToParent")]')),
                footnotes=tuple(
                    footnotes[c] for n in own_notes if (c := n.get("data-unique-footnote-counter")) in footnotes
                ),
                kind=annex.kind if annex else None,
                language=annex.language if annex else None,
            )
        )
    return ParsedDocument(info=info, units=tuple(units), warnings=tuple(warnings))


def read_lovdata(path: Path) -> Iterator[ParsedDocument | ReadFailure]:
    """Every Lovdata document in a file, a folder (recursively) or a `.tar.bz2` bundle; failures are yielded, not raised."""
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and (child.suffix == ".xml" or child.name.endswith(".tar.bz2")):
                yield from read_lovdata(child)
        return
    if path.name.endswith((".tar.bz2", ".tbz2")):
        try:
            with tarfile.open(path, "r:bz2") as archive:
                for member in archive:
                    if member.isfile() and member.name.endswith(".xml"):
                        origin = f"{path}:{member.name}"
                        handle = archive.extractfile(member)
                        yield parse_or_fail(handle.read() if handle else b"", origin, parse_lovdata)
        except (tarfile.TarError, OSError, EOFError) as exc:
            yield ReadFailure(str(path), f"unreadable archive ({exc})")
        return
    yield from read_file(path, parse_lovdata)
