"""The launcher's errors made readable for Python users, without a database URL's password."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote, urlsplit

# The launcher reports a failure with its JavaScript stack: frames say nothing to a Python user.
JS_STACK_FRAME = re.compile(r"^\s+at .*$\n?", re.MULTILINE)
HIDDEN = "<hidden>"


def readable_error(launcher_error) -> str:
    """The launcher's error without its JavaScript stack, and an executor's JSON error reply
    reduced to its message."""
    text = JS_STACK_FRAME.sub("", str(launcher_error)).strip()
    text = text.removeprefix("Error: ")
    head, brace, tail = text.partition("{")
    if brace:
        try:
            reply = json.loads(brace + tail)
        except ValueError:
            return text
        if isinstance(reply, dict) and isinstance(reply.get("error"), str):
            return head + reply["error"]
    return text


def hide_password(text: str, database_url: str | None) -> str:
    """``text`` with the URL's password hidden wherever a URL in it carries it (``:PASSWORD@``,
    as written or decoded): a driver may quote the whole connection string in an error."""
    password = urlsplit(database_url).password if database_url else None
    if not password:
        return text
    for form in {password, unquote(password)}:
        text = text.replace(f":{form}@", f":{HIDDEN}@")
    return text
