"""Errors raised while reading a Prisma schema."""

from __future__ import annotations


class PSLError(Exception):
    """Base class of schema errors."""


class PSLSyntaxError(PSLError):
    def __init__(self, message: str, file: str, line: int, column: int):
        self.message, self.file, self.line, self.column = message, file, line, column
        super().__init__(f"{file}:{line}:{column}: {message}")


class PSLValidationError(PSLError):
    """The schema parses but Prisma would reject it; `diagnostics` lists every problem found."""

    def __init__(self, diagnostics):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))
