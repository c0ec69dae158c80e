"""Wraps generated call expressions the way ruff/black would, so generated code is already formatted."""

from __future__ import annotations

import ast
import io
import tokenize

LINE_LENGTH = 100


def _outside_strings(text: str, start: int = 0):
    """(index, character, bracket depth after it) for each character outside string literals."""
    depth, quote, i = 0, None, start
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        else:
            if char in "([{":
                depth += 1
            elif char in ")]}":
                depth -= 1
            yield i, char, depth
        i += 1


def split_top_level(text: str) -> list[str]:
    parts, start = [], 0
    for i, char, depth in _outside_strings(text):
        if char == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return parts


def _matching_paren(text: str, open_at: int) -> int:
    for i, char, depth in _outside_strings(text, open_at):
        if char in ")]}" and depth == 0:
            return i
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


def double_quoted(source: str) -> str:
    """Python source with its plain string literals in double quotes, as ruff/black write them."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    out, previous_end = [], (1, 0)
    for token in tokens:
        if token.start[0] == previous_end[0]:
            out.append(" " * (token.start[1] - previous_end[1]))
        text = token.string
        if token.type == tokenize.STRING and text[:1] == "'":
            value = ast.literal_eval(text)
            if '"' not in value:
                text = '"' + text[1:-1].replace("\\'", "'") + '"'
        out.append(text)
        previous_end = token.end
    return "".join(out)
