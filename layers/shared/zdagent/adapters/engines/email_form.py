"""An answer as an email: greeting, answer, cited articles, sign-off, signature; HTML and text.

Markdown is rendered with the ``markdown`` package and the HTML is then sanitised with ``nh3``
(an allow-list of tags and attributes, http/https/mailto links only), so neither raw Markdown nor
anything a model or an article smuggled in (scripts, styles, event handlers, javascript: links)
reaches the customer. The plain-text body is derived from that same safe HTML.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import markdown
import nh3

from zdagent.adapters.engines.language import primary_subtag
from zdagent.domain.engine import Source


@dataclass(frozen=True)
class EmailBody:
    html: str
    text: str


@dataclass(frozen=True)
class _Phrases:
    greeting_named: str
    greeting: str
    sources: str
    sign_off: str


_PHRASES: dict[str, _Phrases] = {
    "en": _Phrases("Hi {name},", "Hello,", "Related articles:", "Best regards,"),
    "fr": _Phrases("Bonjour {name},", "Bonjour,", "Articles utiles :", "Cordialement,"),
    "de": _Phrases("Hallo {name},", "Guten Tag,", "Hilfreiche Artikel:", "Viele Grüße"),
    "es": _Phrases("Hola, {name}:", "Hola:", "Artículos relacionados:", "Un saludo,"),
    "nl": _Phrases(
        "Beste {name},", "Beste klant,", "Gerelateerde artikelen:", "Met vriendelijke groet,"
    ),
    "it": _Phrases("Ciao {name},", "Buongiorno,", "Articoli correlati:", "Cordiali saluti,"),
    "pt": _Phrases("Olá {name},", "Olá,", "Artigos relacionados:", "Com os melhores cumprimentos,"),
}
_ALLOWED_TAGS = {
    "a", "p", "br", "strong", "em", "b", "i", "u", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
_URL_SCHEMES = {"http", "https", "mailto"}
_MARKDOWN_EXTENSIONS = ["tables", "sane_lists", "fenced_code"]
_MAX_NAME_CHARS = 40
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")


def phrases_for(language: str) -> _Phrases:
    return _PHRASES.get(primary_subtag(language), _PHRASES["en"])


def render_markdown_safe(md: str) -> str:
    """Markdown → HTML that is safe to send: allow-listed tags, attributes and URL schemes."""
    rendered = markdown.markdown(md, extensions=_MARKDOWN_EXTENSIONS, output_format="html")
    cleaned: str = nh3.clean(
        rendered,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return cleaned


def first_name(customer_name: str | None) -> str | None:
    """ "Anna Smith" → "Anna"; "Smith, Anna" → "Anna"; e-mail addresses and junk → None."""
    if not customer_name:
        return None
    name = re.sub(r"<[^>]*>", " ", customer_name).strip()
    if "," in name:
        name = name.split(",", 1)[1].strip()
    if "@" in name or any(char.isdigit() for char in name):
        return None
    found = _NAME_WORD.search(name)
    if found is None or len(found.group(0)) > _MAX_NAME_CHARS:
        return None
    first = found.group(0)
    return first[:1].upper() + first[1:]


def compose_reply(
    markdown_answer: str,
    *,
    language: str,
    customer_name: str | None,
    signature: str,
    sources: list[Source],
) -> EmailBody:
    """The email for one answer, as sanitised HTML and as plain text."""
    words = phrases_for(language)
    name = first_name(customer_name)
    greeting = words.greeting_named.format(name=name) if name else words.greeting
    parts = [
        f"<p>{html.escape(greeting)}</p>",
        render_markdown_safe(markdown_answer),
        _sources_html(words.sources, sources),
        f"<p>{html.escape(words.sign_off)}</p>",
        _signature_html(signature),
    ]
    body_html = "\n".join(part for part in parts if part)
    return EmailBody(html=body_html, text=html_to_text(body_html))


def _sources_html(heading: str, sources: list[Source]) -> str:
    items = [
        _source_item(source)
        for source in sources
        if source.url and source.url.lower().startswith(("https://", "http://"))
    ]
    if not items:
        return ""
    return f"<p>{html.escape(heading)}</p>\n<ul>\n" + "\n".join(items) + "\n</ul>"


def _source_item(source: Source) -> str:
    link = f'<a href="{html.escape(source.url or "", quote=True)}">{html.escape(source.title)}</a>'
    safe: str = nh3.clean(link, tags={"a"}, attributes={"a": {"href"}}, url_schemes=_URL_SCHEMES)
    return f"<li>{safe}</li>"


def _signature_html(signature: str) -> str:
    if not signature.strip():
        return ""
    # Hard line breaks: a signature's lines are lines, not one paragraph.
    return render_markdown_safe(re.sub(r"\n", "  \n", signature.strip()))


def html_to_text(body_html: str) -> str:
    """Readable plain text of our safe HTML: paragraphs, list bullets, links as "text (url)"."""
    parser = _TextExtractor()
    parser.feed(body_html)
    parser.close()
    return parser.text()


class _TextExtractor(HTMLParser):
    _BLOCKS = frozenset({"p", "ul", "ol", "table", "pre", "blockquote", "h1", "h2", "h3", "h4",
                         "h5", "h6", "hr"})  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._chunks: list[str] = []
        self._href: str | None = None
        self._link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BLOCKS:
            self._chunks.append("\n\n")
        elif tag in {"br", "tr"}:
            self._chunks.append("\n")
        elif tag == "li":
            self._chunks.append("\n- ")
        elif tag in ("td", "th"):
            self._chunks.append(" | ")
        elif tag == "a":
            self._href = dict(attrs).get("href")
            self._link_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            text = "".join(self._link_text)
            href = self._href
            self._chunks.append(f"{text} ({href})" if href and href != text else text)
            self._href = None
        elif tag in self._BLOCKS:
            self._chunks.append("\n\n")

    def handle_data(self, data: str) -> None:
        data = re.sub(r"\s+", " ", data)  # HTML whitespace: newlines in the source are spaces
        if not data.strip() and self._href is None:
            return
        if self._href is not None:
            self._link_text.append(data)
        else:
            self._chunks.append(data)

    def text(self) -> str:
        joined = "".join(self._chunks)
        lines = [re.sub(r"[ \t]+", " ", line).strip() for line in joined.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
