"""Parse a rendered page and report what could run: script elements, on* handlers, unsafe links."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

SAFE_LINK_PREFIXES = ("http://", "https://", "mailto:", "/", "#", "?")


@dataclass
class ActiveContent:
    inline_scripts: int = 0
    script_sources: list[str] = field(default_factory=list)
    handlers: list[str] = field(default_factory=list)
    unsafe_links: list[str] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = ActiveContent()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.tags.add(tag)
        values = dict(attrs)
        if tag == "script":
            if values.get("src"):
                self.found.script_sources.append(values["src"] or "")
            else:
                self.found.inline_scripts += 1
        for name, value in attrs:
            if name.startswith("on"):
                self.found.handlers.append(f"{tag}.{name}")
            is_link = name in {"href", "src", "action", "formaction"} and value is not None
            if is_link and not value.strip().lower().startswith(SAFE_LINK_PREFIXES):
                self.found.unsafe_links.append(f"{tag}.{name}={value}")


def active_content(html: str) -> ActiveContent:
    collector = _Collector()
    collector.feed(html)
    return collector.found


def assert_inert(html: str) -> None:
    """The page runs only our own script file and links only to safe places."""
    found = active_content(html)
    assert found.inline_scripts == 0, "inline script element on the page"
    assert all(src.startswith("/static/") for src in found.script_sources), found.script_sources
    assert found.handlers == [], found.handlers
    assert found.unsafe_links == [], found.unsafe_links
    assert not found.tags & {"iframe", "img", "svg", "object", "embed"}, found.tags
