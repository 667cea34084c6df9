"""EDGAR full submissions (`<accession>.txt` / `.nc`): the header fields and the embedded XML documents.

Two header styles exist: the classic `<SEC-DOCUMENT>`/`<SEC-HEADER>` text header with lines such as
`ACCESSION NUMBER:  0000320193-22-000061`, and the tag-style header of `.nc` files
(`<SUBMISSION>`, `<ACCESSION-NUMBER>0001127602-25-004598`, `<FILING-DATE>20250213`). In both, each
document sits in `<DOCUMENT>...</DOCUMENT>` with its `<TYPE>` and, for XML forms, an `<XML>` block.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from ic_platform.sources.documents import SourceFormatError

_TEXT_HEADER = {
    "ACCESSION NUMBER": "accession",
    "CONFORMED SUBMISSION TYPE": "form",
    "FILED AS OF DATE": "filed",
    "CONFORMED PERIOD OF REPORT": "period",
}
_TAG_HEADER = {"ACCESSION-NUMBER": "accession", "TYPE": "form", "FILING-DATE": "filed", "PERIOD": "period"}
_TYPE = re.compile(r"<TYPE>([^\n<]+)")
_HEADER_TAG = re.compile(r"<([A-Z][A-Z0-9-]*)>([^<\n]*)")


@dataclass(frozen=True)
class Submission:
    """The header of a full submission and its XML documents by document type."""

    accession: str
    form: str
    filed: date
    accepted: datetime | None
    period: date | None
    xml_documents: list[tuple[str, str]] = field(default_factory=list)

    def xml_of(self, *types: str) -> str | None:
        """The first XML document whose type is one of `types` (any XML document when none given)."""
        return next((xml for kind, xml in self.xml_documents if not types or kind in types), None)


def complete_submission_text(body: bytes, source: str) -> str:
    """The text of a full submission that reaches its closing tag (a cut-off one is refused)."""
    text = body.decode("latin-1")
    if not any(tag in text[-200:] for tag in ("</SEC-DOCUMENT>", "</SUBMISSION>")):
        raise SourceFormatError(f"{source}: the submission ends before its closing tag ({len(body)} bytes)")
    return text


def is_full_submission(text: str) -> bool:
    head = text.lstrip()[:200]
    return head.startswith("<SEC-DOCUMENT>") or head.startswith("<SUBMISSION>") or head.startswith("<SEC-HEADER>")


def _header_values(header: str) -> dict[str, str]:
    """Header fields of either style (tag-style headers may sit on one line, tags back to back)."""
    values: dict[str, str] = {}
    for tag, value in _HEADER_TAG.findall(header):
        if tag in _TAG_HEADER and value.strip():
            values.setdefault(_TAG_HEADER[tag], value.strip())
        if tag == "ACCEPTANCE-DATETIME":
            values["accepted"] = value.strip()
    for line in header.splitlines():
        key, colon, value = line.strip().partition(":")
        if colon and key.strip() in _TEXT_HEADER and value.strip():
            values.setdefault(_TEXT_HEADER[key.strip()], value.strip())
    return values


def _day(text: str | None) -> date | None:
    return datetime.strptime(text, "%Y%m%d").date() if text else None


def _blocks(text: str, opening: str, closing: str):
    """The texts between `opening` and the next `closing`, in one pass (a regex with a lazy group
    is quadratic on text with many unclosed tags)."""
    position = 0
    while (start := text.find(opening, position)) >= 0:
        end = text.find(closing, start + len(opening))
        if end < 0:
            return
        yield text[start + len(opening) : end]
        position = end + len(closing)


def parse_submission(text: str, source: str) -> Submission:
    """Header fields and XML documents of a full EDGAR submission; a clear error when it is not one."""
    first_document = text.find("<DOCUMENT>")
    header = text if first_document < 0 else text[:first_document]
    values = _header_values(header)
    missing = [k for k in ("accession", "form", "filed") if k not in values]
    if missing:
        raise SourceFormatError(f"{source}: not an EDGAR full submission (no {', '.join(missing)} in its header)")
    try:
        accepted = datetime.strptime(values["accepted"], "%Y%m%d%H%M%S") if "accepted" in values else None
        filed, period = datetime.strptime(values["filed"], "%Y%m%d").date(), _day(values.get("period"))
    except ValueError as error:
        raise SourceFormatError(f"{source}: unreadable date in the submission header ({error})") from error
    documents = []
    for body in _blocks(text, "<DOCUMENT>", "</DOCUMENT>"):
        kind, xml = _TYPE.search(body), next(_blocks(body, "<XML>", "</XML>"), None)
        if xml is not None:
            documents.append(((kind.group(1).strip() if kind else ""), xml.strip()))
    return Submission(values["accession"], values["form"], filed, accepted, period, documents)
