"""An article's body as passages: the units an extractive answer is made of.

A passage is a sentence of a paragraph, one item of a list (with the sentence that introduces the
list, when it ends with ":", kept as its ``lead``), or a whole table (a row without its header
says nothing). Passages keep their Markdown, so an answer made of them renders like the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_TABLE_ROW = re.compile(r"^\s*\|")
_HEADING = re.compile(r"^\s*#{1,6}\s")
# A sentence ends at . ! ? (not inside "e.g." or a number like 4.90) followed by a space.
_SENTENCE_END = re.compile(r"(?<=[^\s.]{2}[.!?])\s+(?=[A-Z0-9*\u00c0-\u00dd\"'(])")


@dataclass(frozen=True)
class Passage:
    """One answerable unit of an article."""

    position: int
    markdown: str
    lead: str = ""
    kind: str = "sentence"  # "sentence", "item" or "table"
    group: int = -1  # items of one list share it (the steps of a procedure, the checks to make)

    @property
    def text(self) -> str:
        """The words of the passage, for matching (its lead included)."""
        return f"{self.lead} {self.markdown}".strip()


def split_passages(body: str) -> list[Passage]:
    """Passages of a Markdown body, in reading order."""
    passages: list[Passage] = []
    lead = ""  # the sentence ending with ":" that introduces the list below it
    lists = 0
    for block in _blocks(body):
        lines = [line for line in block.split("\n") if line.strip()]
        if all(_TABLE_ROW.match(line) for line in lines):
            passages.append(Passage(len(passages), "\n".join(lines), lead=lead, kind="table"))
            lead = ""
            continue
        for line in _join_continuations(lines):
            if _HEADING.match(line):
                continue  # a heading names a section (like a title); it answers nothing
            if _LIST_ITEM.match(line):
                previous = passages[-1] if passages else None
                if previous is None or previous.kind != "item":
                    lists += 1
                item = Passage(len(passages), line.strip(), lead=lead, kind="item", group=lists)
                passages.append(item)
                continue
            sentences = _sentences(line)
            for sentence in sentences:
                passages.append(Passage(len(passages), sentence))
            lead = sentences[-1] if sentences and line.rstrip().endswith(":") else ""
    return passages


def _blocks(body: str) -> list[str]:
    return [block for block in re.split(r"\n\s*\n", body.replace("\r\n", "\n")) if block.strip()]


def _join_continuations(lines: list[str]) -> list[str]:
    """A paragraph's wrapped lines are one line; a list item's wrapped lines stay with it."""
    joined: list[str] = []
    for line in lines:
        starts_item = bool(_LIST_ITEM.match(line))
        if joined and not starts_item and not joined[-1].rstrip().endswith(":"):
            joined[-1] = f"{joined[-1].rstrip()} {line.strip()}"
        else:
            joined.append(line)
    return joined


def _sentences(line: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(line.strip()) if part.strip()]
