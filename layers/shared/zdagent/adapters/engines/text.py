"""Cut an email down to what the customer just wrote: no quoted history, no signature.

Email clients quote the previous messages below (or, rarely, above) a header line such as
"On Mon, 3 Jun 2024, Shop <help@shop.example> wrote:" and append signatures ("-- ", "Sent from
my iPhone", a sign-off followed by a name). Everything from the first such marker on is removed,
as are lines quoted with ">". The rules are deliberately conservative: a sign-off only ends the
message when nothing but a few short lines follows it.
"""

from __future__ import annotations

import re

# Lines from which everything below is quoted history or a client footer.
_HISTORY_MARKERS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"^\s*#+\s*-.*(reply above|répondre au-dessus|antwort oberhalb).*-\s*#+\s*$",
        r"^\s*on\b.{0,200}\bwrote\s*:\s*$",
        r"^\s*le\b.{0,200}\ba\s+écrit\s*:\s*$",
        r"^\s*am\b.{0,200}\bschrieb\b.{0,200}:\s*$",
        r"^\s*el\b.{0,200}\bescribió\s*:\s*$",
        r"^\s*op\b.{0,200}\bschreef\b.{0,200}:\s*$",
        r"^\s*il\b.{0,200}\bha scritto\s*:\s*$",
        r"^\s*em\b.{0,200}\bescreveu\s*:\s*$",
        r"^\s*-{2,}\s*(original message|message d'origine|message original|"
        r"ursprüngliche nachricht|mensaje original|oorspronkelijk bericht|"
        r"messaggio originale|mensagem original|forwarded message|message transféré)\s*-{2,}\s*$",
        r"^\s*_{10,}\s*$",
    )
)
# Outlook's quoted header: "From: ..." followed within a few lines by "Sent: ..." or "Date: ...".
_HEADER_FROM = re.compile(r"^\s*\*?(from|de|von|van|da)\s*:\*?\s*\S", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\s*\*?(sent|envoyé|gesendet|enviado|verzonden|inviato|date|datum|data|to|à|an|para|aan|a)"
    r"\s*:",
    re.IGNORECASE,
)

# Lines that start a signature or a mobile client's footer.
_SIGNATURE_MARKERS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"^--\s*$",
        r"^__\s*$",
        r"^\s*(sent|envoyé|enviado|inviato|verzonden|gesendet)\s+(from|de|depuis|desde|do|da|"
        r"vanaf|von)\b.{0,40}$",
        r"^\s*von meinem .{0,30} gesendet\s*$",
        r"^\s*(get|télécharger|obtenir)\s+outlook\s+(for|pour)\b.{0,30}$",
    )
)

# A line that is only a sign-off ("Thanks,", "Cordialement", "Best regards, Anna").
_SIGN_OFF = re.compile(
    r"^\s*(thanks?( you)?( in advance)?|many thanks|cheers|best( regards| wishes)?|"
    r"(kind |warm )?regards|sincerely|yours( truly| sincerely)?|"
    r"merci( beaucoup| d'avance| par avance)?|cordialement|bien cordialement|"
    r"bien à (vous|toi)|salutations|bonne journée|"
    r"(mit )?freundlichen grüßen|viele grüße|lg|danke|"
    r"saludos( cordiales)?|gracias|atentamente|"
    r"met vriendelijke groet(en)?|groeten|bedankt|"
    r"cordiali saluti|saluti|grazie|"
    r"atenciosamente|cumprimentos|obrigad[oa])\s*[,.!]*\s*([^\s?]+\s*){0,3}$",
    re.IGNORECASE,
)
_SIGN_OFF_TAIL_MAX_LINES = 5
_SIGN_OFF_TAIL_MAX_CHARS = 60
# Long signature lines that are still signature: disclaimers and "think before printing".
_DISCLAIMER = re.compile(
    r"(environment|before printing|imprimer|confidential|confidentiel|intended recipient|"
    r"destinataire|disclaimer|vertraulich|umwelt)",
    re.IGNORECASE,
)


def clean_customer_message(text: str) -> str:
    """The customer's own new words: quoted history, client footers and signature removed."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = _cut_at_history(lines)
    lines = [line for line in lines if not line.lstrip().startswith(">")]
    lines = _cut_at_signature(lines)
    lines = _cut_at_sign_off(lines)
    return _collapse_blank_lines(lines)


def _cut_at_history(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if _is_history_marker(lines, index, line):
            return lines[:index]
    return lines


def _is_history_marker(lines: list[str], index: int, line: str) -> bool:
    if any(pattern.match(line) for pattern in _HISTORY_MARKERS):
        return True
    if _HEADER_FROM.match(line) and any(
        _HEADER_NEXT.match(following) for following in lines[index + 1 : index + 5]
    ):
        return True
    # Gmail folds long "On ... wrote:" headers over two lines.
    if index + 1 < len(lines) and re.match(r"^\s*on\b", line, re.IGNORECASE):
        return bool(re.match(r"^.{0,120}\bwrote\s*:\s*$", lines[index + 1], re.IGNORECASE))
    return False


def _cut_at_signature(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if any(pattern.match(line) for pattern in _SIGNATURE_MARKERS):
            return lines[:index]
    return lines


def _cut_at_sign_off(lines: list[str]) -> list[str]:
    """Drop a trailing "Thanks,\\nAnna\\n+33 ..." block, but only if it really is the tail."""
    content = [index for index, line in enumerate(lines) if line.strip()]
    for index in content[-(_SIGN_OFF_TAIL_MAX_LINES + 1) :]:
        if not _SIGN_OFF.match(lines[index]) or index == content[0]:
            continue
        tail = [line.strip() for line in lines[index + 1 :] if line.strip()]
        if len(tail) <= _SIGN_OFF_TAIL_MAX_LINES and all(_is_signature_line(line) for line in tail):
            return lines[:index]
    return lines


def _is_signature_line(line: str) -> bool:
    if "?" in line:
        return False
    return len(line) <= _SIGN_OFF_TAIL_MAX_CHARS or bool(_DISCLAIMER.search(line))


def _collapse_blank_lines(lines: list[str]) -> str:
    text = "\n".join(line.rstrip() for line in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


_SENTENCE_END = re.compile(r"(?<=[.?!;])\s+|\n+")


def split_sentences(text: str) -> list[str]:
    """Sentences and lines of a cleaned message (questions are found among these)."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]
