"""Prisma schema language (PSL) tooling: parser, validator, schema <-> Django models."""

from .ast import Attribute, Block, Call, ConfigBlock, EnumValue, Field, Ident, Schema
from .errors import PSLError, PSLSyntaxError, PSLValidationError
from .parser import parse_path, parse_schema
from .validate import Diagnostic, check, validate

__all__ = [
    "Attribute",
    "Block",
    "Call",
    "ConfigBlock",
    "Diagnostic",
    "EnumValue",
    "Field",
    "Ident",
    "PSLError",
    "PSLSyntaxError",
    "PSLValidationError",
    "Schema",
    "check",
    "parse_path",
    "parse_schema",
    "validate",
]
