"""Every log line as one JSON object with its trace id, ours and every library's (uvicorn's access
and error logs, Dramatiq's, SQLAlchemy's) alike, through structlog's stdlib ProcessorFormatter;
and no secret or personal datum reaches a line.

Redaction works on whole lines' fields, at any depth, after tracebacks are formatted (so SQL
parameters in an exception are caught too): values under secret-looking keys are dropped; in any
text, bearer tokens, JWT-shaped strings, `key=value` pairs with secret-looking keys, SQL
parameters, 64-hex signatures, the configured secrets, e-mail addresses and Indian phone numbers
(every common spelling, also URL-encoded) are masked. uvicorn's access log keeps the path and the
names of the query's parameters, never their values.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, MutableMapping
from typing import Any

import structlog
from structlog.typing import Processor

from infrastructure.settings import DEFAULT_DEV_SECRET, DEFAULT_KEY_SECRET, DEFAULT_WEBHOOK_SECRET, Settings

SECRET_WORDS = (
    r"token|secret|signature|password|passwd|authorization|cookie|api[_-]?key|credential|phone|mobile|e-?mail|otp"  # noqa: S105
)
SECRET_KEYS = re.compile(SECRET_WORDS, re.I)
BEARER = re.compile(r"\b(Bearer|Basic)(\s+|%20|\+)[A-Za-z0-9._~+/=%-]+", re.I)
JWT = re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)?|"
                 r"\b[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")
PAIR = re.compile(  # key=value, key: value, "key": "value", 'key': 'value'
    rf"""(?P<key>["']?[\w.-]*(?:{SECRET_WORDS})[\w.-]*["']?\s*(?:=|:|%3D)\s*)(?P<quote>["']?)"""
    r"""(?P<value>(?:(?<=")[^"]*|(?<=')[^']*|[^\s"',;&}\])]+))""", re.I)
SQL_PARAMETERS = re.compile(r"\[parameters: .*?\](?=\s*(?:\(|\n|$))", re.S)
SQL_DETAIL = re.compile(r"(Key \([^)]*\)=)\(.*?\)(?= already exists| is not present|\n|$)", re.S)
HEX_SIGNATURE = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{64}(?![0-9A-Fa-f])")
EMAIL = re.compile(r"[\w.+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+")
SEP = r"(?:[\s.-]|%20|\+)"
PHONE = re.compile(
    rf"(?:(?<![0-9A-Za-z])|(?<=%20)|(?<=%2B))(?:\(?(?:\+|%2B|00)?91\)?{SEP}?|0)?"
    rf"(?:[6-9]\d{{9}}|[6-9]\d{{4}}{SEP}\d{{5}}|[6-9]\d{{2}}{SEP}\d{{3}}{SEP}\d{{4}})(?![0-9A-Za-z])")
ACCESS = "uvicorn.access"
QUIETED = ("uvicorn", "uvicorn.error", "uvicorn.access", "dramatiq")

_known_secrets: list[str] = []


def scrub(text: str) -> str:
    """The text with every secret and personal datum masked."""
    text = SQL_PARAMETERS.sub("[parameters: [redacted]]", text)
    text = SQL_DETAIL.sub(r"\1([redacted])", text)
    text = BEARER.sub(r"\1 [redacted]", text)
    text = JWT.sub("[jwt]", text)
    text = EMAIL.sub("[email]", text)
    text = PHONE.sub("[phone]", text)
    text = PAIR.sub(lambda m: m[0] if m["value"].startswith("[") else f"{m['key']}{m['quote']}[redacted]",
                    text)
    text = HEX_SIGNATURE.sub("[hex]", text)
    for secret in _known_secrets:
        text = text.replace(secret, "[secret]")
    return text


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: "[redacted]" if isinstance(k, str) and SECRET_KEYS.search(k) else _clean(v)
                for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_clean(item) for item in value]
    if isinstance(value, int | float | bool) or value is None:
        return value
    return scrub(repr(value))


def redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Drops values under secret-looking keys and masks secrets and personal data in every value."""
    for key, value in list(event.items()):
        if key.startswith("_"):
            continue
        event[key] = "[redacted]" if SECRET_KEYS.search(key) and key != "event" else _clean(value)
    return event


def access_fields(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """uvicorn's access line as fields: the path, and the query's parameter names without values."""
    record, args = event.get("_record"), event.pop("positional_args", None)
    if record is None or record.name != ACCESS or not isinstance(args, tuple) or len(args) != 5:
        return event
    client, method, full_path, http_version, status = args
    path, _, query = str(full_path).partition("?")
    names = sorted({pair.split("=", 1)[0] for pair in query.split("&") if pair})
    event.update(event="http request", client=client, method=method, path=path, status=status,
                 http_version=http_version, **({"query_names": names} if names else {}))
    return event


def _renderer(settings: Settings) -> Processor:
    return structlog.processors.JSONRenderer() if settings.log_json else structlog.dev.ConsoleRenderer()


def configure_logging(settings: Settings) -> None:
    """structlog and the standard library's logging both end in one JSON formatter on stderr (or
    on the stream a Dramatiq worker process hands its logs to); uvicorn's own handlers go."""
    _known_secrets[:] = sorted(_secrets(settings), key=len, reverse=True)
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.processors.StackInfoRenderer(),
                    structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, access_fields], pass_foreign_args=True,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info, redact, _renderer(settings)],
    )
    handler = logging.StreamHandler(sys.stderr)  # in a Dramatiq worker: the pipe to its parent
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for name in QUIETED:  # uvicorn's own handlers (its default config) give way to the root's
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    logging.captureWarnings(True)


def _secrets(settings: Settings) -> Iterable[str]:
    values = [settings.razorpay_key_secret, settings.razorpay_webhook_secret,
              settings.razorpay_webhook_secret_previous, settings.dev_token_secret, settings.gemini_api_key]
    defaults = {DEFAULT_DEV_SECRET, DEFAULT_KEY_SECRET, DEFAULT_WEBHOOK_SECRET}
    return {v for v in values if v and len(v) >= 8} | defaults
