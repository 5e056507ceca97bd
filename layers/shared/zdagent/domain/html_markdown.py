"""Help Center article HTML → the Markdown the reply engines read (and the email renders).

Headings, paragraphs, lists (nested), links, emphasis, code, quotes and tables keep their structure;
images, scripts, styles, forms and embedded media are dropped. Links are kept only when they are
http(s) or mailto; a relative link (``/hc/en-us/articles/...``) is made absolute against the
article's own URL, so the customer can follow it from the email.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

_DROP = frozenset({"script", "style", "noscript", "template", "iframe", "object", "svg", "head",
                   "form", "button", "select", "textarea", "video", "audio"})  # fmt: skip
_BLOCKS = frozenset({"p", "div", "section", "article", "header", "footer", "figure", "figcaption",
                     "details", "summary", "dl", "dd", "dt", "hr"})  # fmt: skip
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_INLINE_MARKS = {"strong": "**", "b": "**", "em": "*", "i": "*", "code": "`"}
_SCHEMES = ("http", "https", "mailto")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]])")


def html_to_markdown(html: str, *, base_url: str | None = None) -> str:
    """The article body as Markdown (empty when the HTML holds no text)."""
    parser = _MarkdownWriter(base_url)
    parser.feed(html or "")
    parser.close()
    return parser.markdown()


class _MarkdownWriter(HTMLParser):
    def __init__(self, base_url: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self._base = base_url
        self._out: list[str] = []
        self._drop_depth = 0
        self._lists: list[list[int | None]] = []  # per open list: [next number or None]
        self._links: list[str | None] = []
        self._pre = 0
        self._table: list[list[str]] | None = None
        self._cell: list[str] | None = None

    # -- parser callbacks ---------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP:
            self._drop_depth += 1
        elif not self._drop_depth and not self._start_block(tag):
            self._start_inline(tag, attrs)

    def _start_block(self, tag: str) -> bool:
        if tag in _HEADINGS:
            self._block()
            self._emit("#" * _HEADINGS[tag] + " ")
        elif tag in _BLOCKS or tag == "blockquote":
            self._block()
            if tag == "blockquote":
                self._emit("> ")
        elif tag in ("ul", "ol"):
            if not self._lists:
                self._block()
            self._lists.append([1 if tag == "ol" else None])
        elif tag == "li":
            self._list_item()
        elif tag == "pre":
            self._block()
            self._emit("```\n")
            self._pre += 1
        else:
            return self._start_table(tag)
        return True

    def _start_table(self, tag: str) -> bool:
        if tag == "table":
            self._block()
            self._table = []
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []
        else:
            return False
        return True

    def _start_inline(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._emit("  \n")
        elif tag == "a":
            self._links.append(self._href(dict(attrs).get("href")))
            self._emit("[")
        elif tag in _INLINE_MARKS and not self._pre:
            self._emit(_INLINE_MARKS[tag])

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP:
            self._drop_depth = max(0, self._drop_depth - 1)
            return
        if self._drop_depth:
            return
        if tag in _HEADINGS or tag in _BLOCKS or tag == "blockquote":
            self._block()
        elif tag in ("ul", "ol") and self._lists:
            self._lists.pop()
            if not self._lists:
                self._block()
        elif tag == "a" and self._links:
            href = self._links.pop()
            self._emit(f"]({href})" if href else "]")
            if not href:
                self._unwrap_link()
        elif tag in _INLINE_MARKS and not self._pre:
            self._emit(_INLINE_MARKS[tag])
        elif tag == "pre" and self._pre:
            self._pre -= 1
            self._emit("\n```")
            self._block()
        elif tag in ("td", "th") and self._table is not None and self._cell is not None:
            if self._table:
                self._table[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._table is not None:
            rows, self._table = self._table, None
            self._emit(_table_markdown(rows))
            self._block()

    def handle_data(self, data: str) -> None:
        if self._drop_depth:
            return
        if self._pre:
            self._emit(data)
            return
        text = re.sub(r"\s+", " ", data)
        if self._cell is not None:
            self._cell.append(text.replace("|", "\\|"))
            return
        if not text.strip() and (not self._out or self._out[-1].endswith(("\n", " "))):
            return
        self._emit(_MARKDOWN_SPECIAL.sub(r"\\\1", text))

    # -- helpers ------------------------------------------------------------------------------
    def _emit(self, text: str) -> None:
        if self._cell is not None:
            self._cell.append(text)
        else:
            self._out.append(text)

    def _block(self) -> None:
        self._out.append("\n\n")

    def _list_item(self) -> None:
        if not self._lists:
            self._lists.append([None])
        depth = len(self._lists) - 1
        state = self._lists[-1]
        marker = "-" if state[0] is None else f"{state[0]}."
        if state[0] is not None:
            state[0] += 1
        self._out.append("\n" + "  " * depth + marker + " ")

    def _href(self, raw: str | None) -> str | None:
        if not raw or raw.startswith("#"):
            return None
        target = urljoin(self._base, raw.strip()) if self._base else raw.strip()
        if urlsplit(target).scheme.lower() not in _SCHEMES:
            return None
        return target.replace(" ", "%20").replace(")", "%29")

    def _unwrap_link(self) -> None:
        """A link we drop keeps its text: remove the '[' and ']' written around it."""
        joined = "".join(self._out)
        start = joined.rfind("[")
        if start >= 0 and joined.endswith("]"):
            self._out = [joined[:start] + joined[start + 1 : -1]]

    def markdown(self) -> str:
        text = "".join(self._out)
        lines = [line.rstrip() if not line.endswith("  ") else line for line in text.split("\n")]
        text = "\n".join(lines)
        text = re.sub(r"\n{3,}", "\n\n", text)
        text = re.sub(r"\[\s*\]\([^)]*\)", "", text)  # links with no text (e.g. around images)
        return text.strip()


def _table_markdown(rows: list[list[str]]) -> str:
    rows = [row for row in rows if any(cell for cell in row)]
    if not rows:
        return ""
    width = max(len(row) for row in rows)
    padded = [row + [""] * (width - len(row)) for row in rows]
    lines = ["| " + " | ".join(padded[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(row) + " |" for row in padded[1:]]
    return "\n".join(lines)
