"""All HTML and spreadsheet sanitising for text that reaches a page or an export.

User text is stored exactly as submitted; this module is the only place that decides how it is
shown. Comments are escaped (never parsed as HTML) and only http(s) links are made clickable.
Staff-written Markdown is rendered with raw HTML disabled and then cleaned against an allowlist.
"""

from __future__ import annotations

import csv
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING, TextIO
from urllib.parse import unquote

import bleach
from bleach.linkifier import Linker
from markdown_it import MarkdownIt
from markupsafe import Markup

if TYPE_CHECKING:
    import _csv

MARKDOWN_TAGS = frozenset(
    {
        "a", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "li", "ol", "p",
        "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
MARKDOWN_ATTRIBUTES = {
    "a": ["href", "title"],
    "h2": ["id"],
    "td": ["align"],
    "th": ["align"],
}
SAFE_PROTOCOLS = frozenset({"http", "https", "mailto"})
REDACTED = "[redacted]"

_SECTION_NUMBER = re.compile(r"^\s*\d+[.)]\s*")
_PARAGRAPH_BREAK = re.compile(r"\r?\n[ \t]*\r?\n")
# What makes a spreadsheet cell a formula (full-width forms too: some spreadsheets accept them).
_FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Cell separators of the common spreadsheet locales: comma, semicolon (Excel in much of Europe),
# tab and vertical bar, and line breaks. A spreadsheet splitting on a separator the file was not
# written with loses track of the quotes and starts a new cell after each of these, so what
# follows one is checked as if it began a cell.
_SEPARATORS = ",;\t|\r\n"


def _ugc_rel(attrs: dict, new: bool = False) -> dict:
    """Mark every link in user text as user-generated and unendorsed."""
    attrs[(None, "rel")] = "nofollow ugc noopener"
    return attrs


# A bleach Linker keeps parser state while it works, so one shared by the server's threads
# corrupts itself under load (IndexError inside html5lib): each thread gets its own.
_linkers = threading.local()


def _comment_linker() -> Linker:
    linker = getattr(_linkers, "linker", None)
    if linker is None:
        linker = _linkers.linker = Linker(callbacks=[_ugc_rel], parse_email=False)
    return linker


_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
# Characters that are invisible or control codes: a link containing one is refused outright
# (browsers drop some of them, which turned "java\u200bscript:" into a script link; bleach 6.4.0
# fixed that case, and this keeps the plan text safe even without that fix).
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
LINK_SCHEMES = frozenset({"http", "https", "mailto"})


def safe_link(url: str) -> bool:
    """Allow web and mail links and same-site paths; refuse other schemes and hidden characters."""
    decoded = unquote(url)  # markdown-it hands over the percent-encoded form
    if _INVISIBLE.search(decoded):
        return False
    scheme = _SCHEME.match(decoded)
    return scheme is None or scheme.group(1).lower() in LINK_SCHEMES


_markdown.validateLink = safe_link  # type: ignore[method-assign]  # markdown-it's documented hook


@dataclass(frozen=True)
class MarkdownSection:
    number: int
    title: str

    @property
    def anchor(self) -> str:
        return f"section-{self.number}"


def markdown_sections(body: str) -> list[MarkdownSection]:
    """List the numbered sections of a plan: its level-two headings, in order."""
    sections: list[MarkdownSection] = []
    for token_index, token in enumerate(tokens := _markdown.parse(body)):
        if token.type == "heading_open" and token.tag == "h2":
            title = _SECTION_NUMBER.sub("", tokens[token_index + 1].content).strip()
            sections.append(MarkdownSection(len(sections) + 1, title or "Untitled"))
    return sections


@lru_cache(maxsize=64)  # plans are long and rarely change; every page view renders one
def render_markdown(body: str) -> Markup:
    """Render staff Markdown to safe HTML, numbering each level-two heading as a section."""
    tokens = _markdown.parse(body)
    number = 0
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            number += 1
            token.attrSet("id", f"section-{number}")
            inline = tokens[index + 1]
            title = _SECTION_NUMBER.sub("", inline.content).strip() or "Untitled"
            inline.children = _markdown.parseInline(f"{number}. {title}")[0].children
    html = _markdown.renderer.render(tokens, _markdown.options, {})
    cleaned = bleach.clean(
        html,
        tags=MARKDOWN_TAGS,
        attributes=MARKDOWN_ATTRIBUTES,
        protocols=SAFE_PROTOCOLS,
        strip=True,
    )
    return Markup(cleaned)


def apply_redactions(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Replace each [start, end) character span with a redaction mark (for public display)."""
    pieces, cursor = [], 0
    for span_start, end in sorted(spans):
        start = max(span_start, cursor)  # overlapping spans: the earlier one covers this part
        if start >= end:
            continue
        pieces.extend([text[cursor:start], REDACTED])
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def render_comment(text: str, redactions: Sequence[tuple[int, int]] = ()) -> Markup:
    """Show user text as escaped paragraphs with safe, nofollow links and nothing else."""
    shown = apply_redactions(text, redactions) if redactions else text
    paragraphs = [p for p in _PARAGRAPH_BREAK.split(shown.strip()) if p.strip()]
    rendered = []
    for paragraph in paragraphs:
        linked = _comment_linker().linkify(escape(paragraph, quote=True))
        rendered.append("<p>" + re.sub(r"\r?\n", "<br>\n", linked) + "</p>")
    return Markup("\n".join(rendered))


def excerpt(text: str, limit: int = 160) -> str:
    """Return a plain-text excerpt (escaped later by the template) cut at a word boundary."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0] + "…"


def isolate_html(value: object) -> Markup:
    """Wrap a user-written name or short text in <bdi>, so bidirectional control characters in it
    (a right-to-left override) cannot reorder the text around it."""
    return Markup("<bdi>{}</bdi>").format("" if value is None else value)


def isolate_text(value: object) -> str:
    """The plain-text form (flash messages, email): FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE."""
    return "\u2068" + ("" if value is None else str(value)) + "\u2069"


def _blank(character: str) -> bool:
    """Skipped by a spreadsheet before it looks for a formula: spaces, controls, invisibles."""
    return character.isspace() or unicodedata.category(character) in {"Cc", "Cf", "Zs"}


def _starts_formula(text: str) -> bool:
    stripped = text
    while stripped and _blank(stripped[0]):
        stripped = stripped[1:]
    return stripped.startswith(_FORMULA_STARTS)


def csv_cell(value: object) -> str:
    """Neutralise a value for a spreadsheet: text that could start a formula gets a quote.

    Checked after leading blanks and control characters, at the start of the cell and after each
    separator of a common locale or line break; the text is otherwise unchanged.
    """
    text = "" if value is None else str(value)
    pieces = re.split(f"([{_SEPARATORS}])", text)
    for index in range(0, len(pieces), 2):
        starts_cell = index == 0
        if _starts_formula(pieces[index]) or (starts_cell and text.startswith(("\t", "\r"))):
            pieces[index] = "'" + pieces[index]
    return "".join(pieces)


def csv_writer(stream: TextIO) -> _csv.Writer:
    """A CSV writer for exports: every cell quoted, so no separator inside one can split it."""
    return csv.writer(stream, quoting=csv.QUOTE_ALL)
