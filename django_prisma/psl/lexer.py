"""Tokenizer for the Prisma schema language."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import PSLSyntaxError

PUNCTUATION = "{}()[],:=?.!"

ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "0": "\0", "'": "'", "/": "/"}


@dataclass(frozen=True)
class Token:
    kind: str  # ident, string, number, punct, at, atat, doc
    value: str
    line: int
    column: int


def _is_ident_start(char: str) -> bool:
    return char.isalpha() or char == "_"


def _is_ident_char(char: str) -> bool:
    return char.isalnum() or char in "_-"


def tokenize(text: str, filename: str = "<schema>") -> list[Token]:
    tokens: list[Token] = []
    i, line, line_start = 0, 1, 0
    length = len(text)

    def fail(message: str, at: int) -> PSLSyntaxError:
        return PSLSyntaxError(message, filename, line, at - line_start + 1)

    while i < length:
        char = text[i]
        column = i - line_start + 1
        if char == "\n":
            i, line, line_start = i + 1, line + 1, i + 1
        elif char in " \t\r\ufeff":
            i += 1
        elif text.startswith("///", i):
            end = text.find("\n", i)
            end = length if end == -1 else end
            tokens.append(Token("doc", text[i + 3 : end].strip(), line, column))
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end == -1:
                raise fail("unterminated block comment", i)
            line += text.count("\n", i, end)
            if "\n" in text[i:end]:
                line_start = text.rfind("\n", i, end) + 1
            i = end + 2
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = length if end == -1 else end
        elif text.startswith("@@", i):
            tokens.append(Token("atat", "@@", line, column))
            i += 2
        elif char == "@":
            tokens.append(Token("at", "@", line, column))
            i += 1
        elif char == '"':
            value, i = _read_string(text, i, fail)
            tokens.append(Token("string", value, line, column))
        elif char.isdigit() or (char == "-" and i + 1 < length and text[i + 1].isdigit()):
            start = i
            i += 1
            while i < length and (
                text[i].isdigit() or text[i] in ".eE" or (text[i] in "+-" and text[i - 1] in "eE")
            ):
                i += 1
            tokens.append(Token("number", text[start:i], line, column))
        elif _is_ident_start(char):
            start = i
            while i < length and _is_ident_char(text[i]):
                i += 1
            tokens.append(Token("ident", text[start:i], line, column))
        elif char in PUNCTUATION:
            tokens.append(Token("punct", char, line, column))
            i += 1
        else:
            raise fail(f"unexpected character {char!r}", i)
    tokens.append(Token("eof", "", line, i - line_start + 1))
    return tokens


def _read_string(text: str, i: int, fail) -> tuple[str, int]:
    out: list[str] = []
    start = i
    i += 1
    while i < len(text):
        char = text[i]
        if char == '"':
            return "".join(out), i + 1
        if char == "\n":
            break
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "u" and i + 5 < len(text):
                out.append(chr(int(text[i + 2 : i + 6], 16)))
                i += 6
                continue
            out.append(ESCAPES.get(nxt, "\\" + nxt))
            i += 2
            continue
        out.append(char)
        i += 1
    raise fail("unterminated string literal", start)
