"""What a server sent instead of what was asked for, in words for a message.

Captive portals, proxies' login pages and mirrors' "not found" pages arrive with
status 200; the user must be told what came, not just that it was not the file.
"""

from __future__ import annotations

import json

HTML_PAGE = "an HTML page: a proxy's or Wi-Fi login page?"


def is_html(data: bytes) -> bool:
    head = data.lstrip()[:64].lower()
    return head.startswith((b"<!doctype", b"<html", b"<head", b"<body", b"<?xml"))


def first_line(data: bytes, limit: int = 60) -> str:
    """The start of ``data`` as text, for quoting (one line, at most ``limit`` characters)."""
    text = data.lstrip()[: limit * 4].decode("utf-8", "replace")
    line = text.split("\n", 1)[0].strip()
    return line if len(line) <= limit else line[: limit - 3] + "..."


def describe(data: bytes) -> str:
    """``an HTML page: a proxy's or Wi-Fi login page? '<html>...'``, or ``not one '...'``
    (after "sent something other than the archive")."""
    quoted = repr(first_line(data))
    return f"{HTML_PAGE} {quoted}" if is_html(data) else f"not one {quoted}"


# What a JSON document cut short can end with: part of a literal or a number.
_TOKEN_PART = frozenset("truefalsn0123456789.eE+-")


def json_ends_early(exc: json.JSONDecodeError) -> bool:
    """Did parsing fail only because the text stops (a transfer cut short), not because
    the text is something else?"""
    if exc.msg.startswith("Unterminated string"):  # runs on to the end of the text
        return True
    tail = exc.doc[exc.pos :].strip()
    return len(tail) < 6 and set(tail) <= _TOKEN_PART
