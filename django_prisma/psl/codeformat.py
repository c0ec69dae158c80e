"""Wraps generated call expressions the way ruff/black would, so generated code is already formatted."""

from __future__ import annotations

LINE_LENGTH = 100


def split_top_level(text: str) -> list[str]:
    parts, depth, quote, start, i = [], 0, None, 0, 0
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
        i += 1
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return parts


def _matching_paren(text: str, open_at: int) -> int:
    depth, quote, i = 0, None, open_at
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def wrap(line: str, indent: int, line_length: int = LINE_LENGTH) -> list[str]:
    """`line` (without indentation) as one or more lines at `indent` spaces, ending in a call or list."""
    pad = " " * indent
    magic_comma = line.rstrip(",").endswith(",]") or line.rstrip(",").endswith(",)")
    if len(pad) + len(line) <= line_length and not magic_comma:
        return [pad + line]
    opener = min((i for i in (line.find("("), line.find("[")) if i >= 0), default=-1)
    if opener < 0:
        return [pad + line]
    closer = _matching_paren(line, opener)
    if closer != len(line) - 1 and not line[closer + 1 :].strip() == ",":
        return [pad + line]
    head, inner, end = line[: opener + 1], line[opener + 1 : closer], line[closer:]
    args = split_top_level(inner)
    one_line = " " * (indent + 4) + ", ".join(args)
    if len(one_line) <= line_length and not inner.rstrip().endswith(","):
        return [pad + head, one_line, pad + end]
    out = [pad + head]
    for arg in args:
        wrapped = wrap(arg + ",", indent + 4, line_length)
        out += wrapped
    out.append(pad + end)
    return out
