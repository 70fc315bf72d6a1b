"""Users' free text as the API accepts it: no markup is ever stored, and control characters are
refused (422).

`CleanText` (notes, reasons, messages: line breaks and tabs allowed) and `CleanLine` (titles and
names: one line) are pydantic types for request models; constraints go beside them, e.g.
`Annotated[CleanLine, Field(min_length=1, max_length=200)]` (lengths are checked on what the
client sent). Markup is removed with nh3 (Ammonia): tags go, their text stays, and a script's or
style's content goes too; entities are decoded again, so `5 < 6 & 7` is stored as typed and never
as `&lt;`. Text that is only markup is refused rather than stored empty.
"""

from __future__ import annotations

import html
import re
from typing import Annotated, Any

import nh3
from pydantic import AfterValidator

# C0 (but tab and line breaks), DEL, C1, and the bidirectional overrides and isolates
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
BREAKS = re.compile("[\t\r\n\u2028\u2029]")
ROUNDS = 4


def clean_text(value: str) -> str:
    """The text without markup; ValueError (a 422) for control characters or text that was only markup."""
    found = CONTROL.search(value)
    if found:
        raise ValueError(f"control character U+{ord(found.group()):04X} is not allowed in text")
    cleaned = value
    for _ in range(ROUNDS):  # until decoding entities reveals no further markup
        stripped = nh3.clean(cleaned, tags=set(), clean_content_tags={"script", "style"})
        decoded = html.unescape(stripped)
        if decoded == cleaned:
            break
        cleaned = decoded
    else:
        cleaned = nh3.clean(cleaned, tags=set())  # still changing: keep it escaped, never markup
    if value.strip() and not cleaned.strip():
        raise ValueError("the text holds only markup")
    return cleaned


def clean_line(value: str) -> str:
    """`clean_text` for one line: a tab or line break is refused too."""
    found = BREAKS.search(value)
    if found:
        raise ValueError(f"control character U+{ord(found.group()):04X} is not allowed in a single line")
    return clean_text(value)


def clean_strings(value: Any) -> Any:
    """Every string at any depth of a JSON value through `clean_line` (keys included)."""
    if isinstance(value, str):
        return clean_line(value)
    if isinstance(value, list):
        return [clean_strings(item) for item in value]
    if isinstance(value, dict):
        return {clean_strings(key): clean_strings(item) for key, item in value.items()}
    return value


CleanText = Annotated[str, AfterValidator(clean_text)]
CleanLine = Annotated[str, AfterValidator(clean_line)]
