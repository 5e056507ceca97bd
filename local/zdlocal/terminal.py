"""What ``make run`` shows: one readable line per event in the terminal, every JSON log line in a
file (``.local-state/logs/stack.jsonl``).

Everything the stack and its functions log arrives here as JSON lines (Powertools' Logger and
metrics write to ``sys.stdout``, the stack's own loggers through ``JsonFormatter``). Each line goes
to the file as is; the terminal gets a short sentence for the lines that say something happened:
changes made through the API (reads succeed quietly), messages handled by the queues, the
functions' own events, and every warning and error.
"""

from __future__ import annotations

import io
import json
import logging
import threading
from datetime import datetime
from typing import Any, TextIO

# keys worth a place on a terminal line, in this order (never a token, secret or body)
SHOWN_KEYS = (
    "agent_id",
    "ticket_id",
    "comment_id",
    "action",
    "reason",
    "status",
    "step",
    "import_id",
    "function",
    "error",
)
QUIET_MESSAGES = {
    "state saved",
    "sandbox saved",
    "state restored",
    "secret_written",
    "secret written",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's extra keys."""

    _STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in self._STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def _clock(entry: dict[str, Any]) -> str:
    stamp = entry.get("time") or entry.get("timestamp")
    if isinstance(stamp, str) and len(stamp) == 8:
        return stamp
    try:
        return datetime.fromisoformat(str(stamp).replace(",", ".")).strftime("%H:%M:%S")
    except ValueError:
        return datetime.now().strftime("%H:%M:%S")


def _details(entry: dict[str, Any], skip: tuple[str, ...] = ()) -> str:
    parts = [
        f"{key}={entry[key]}"
        for key in SHOWN_KEYS
        if key not in skip and entry.get(key) not in (None, "", [])
    ]
    return ("  " + " ".join(parts)) if parts else ""


def _api_line(entry: dict[str, Any]) -> str | None:
    """Refused and failed requests only: what succeeded is told by the functions' own events
    (and reads, like the console's polling, are not events)."""
    status = int(entry.get("status") or 0)
    if status < 400:
        return None
    return f"{entry.get('method')} {entry.get('path')} answered {status}"


def _zendesk_line(entry: dict[str, Any]) -> str | None:
    status = int(entry.get("status") or 0)
    if 0 < status < 400:
        return None
    return f"Zendesk answered {status or 'nothing'}" + _details(entry, skip=("status",))


def _sqs_line(entry: dict[str, Any]) -> str | None:
    if not entry.get("received") and not entry.get("error"):
        return None
    failed = f", {entry['failed']} failed" if entry.get("failed") else ""
    return f"queue {entry.get('poller')}: {entry.get('received')} message(s) handled{failed}"


_SPECIAL = {"api request": _api_line, "zendesk request": _zendesk_line, "sqs batch": _sqs_line}


def terse(line: str) -> str | None:
    """The terminal's sentence for one JSON log line (None: nothing to show)."""
    try:
        entry = json.loads(line)
    except ValueError:
        return line.rstrip() or None  # not JSON (a traceback, a print): shown as is
    if not isinstance(entry, dict) or "_aws" in entry:
        return None  # metrics (EMF) go to the file only
    level = str(entry.get("level", "INFO")).upper()
    message = str(entry.get("message", ""))
    if level == "DEBUG" or message in QUIET_MESSAGES:
        return None
    special = _SPECIAL.get(message)
    text = special(entry) if special else message.replace("_", " ") + _details(entry)
    if text is None:
        return None
    prefix = "" if level == "INFO" else f"{level} "
    return f"{_clock(entry)}  {prefix}{text}"


class SplitLog(io.TextIOBase):
    """A text stream: whole lines to ``file``, their terse sentences to ``terminal``."""

    def __init__(self, file: TextIO, terminal: TextIO) -> None:
        self._file = file
        self._terminal = terminal
        self._pending = ""
        self._lock = threading.Lock()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        with self._lock:
            self._pending += text
            *lines, self._pending = self._pending.split("\n")
            for line in lines:
                if not line.strip():
                    continue
                self._file.write(line + "\n")
                shown = terse(line)
                if shown:
                    self._terminal.write(shown + "\n")
            self._file.flush()
            self._terminal.flush()
        return len(text)

    def flush(self) -> None:
        with self._lock:
            self._file.flush()
            self._terminal.flush()
