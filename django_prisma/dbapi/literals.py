"""Python values → SQL literals, and ``%s`` / ``%(name)s`` placeholders → those literals.

Binding is client-side, as Django's PostgreSQL backend does by default (psycopg's ClientCursor):
the executor binds every parameter untyped, so PostgreSQL could not infer the type of
``SELECT %s`` or ``COALESCE(%s, …)``; a literal that carries its cast can always be typed. The
adaptation table is psycopg's own, which Django's SQL is written and tested against.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from psycopg import DataError as PsycopgDataError
from psycopg import Error as PsycopgError
from psycopg.adapt import AdaptersMap, Transformer

from .exceptions import DataError, ProgrammingError

_PLACEHOLDER = re.compile(r"%(?:\(([^)]*)\))?(.)", re.S)
# Quoted identifiers, string literals (E'' too), dollar-quoted strings and comments: a literal
# substituted inside one of them can end it ("*/", a newline, "$$" …) and smuggle in SQL.
_PROTECTED = re.compile(
    r'"(?:[^"]|"")*"|[Ee]\'(?:[^\'\\]|\\.|\'\')*\'|\'(?:[^\']|\'\')*\''
    r"|\$([A-Za-z_]\w*|)\$.*?\$\1\$|--[^\n]*|/\*.*?\*/",
    re.S,
)
_transformer = Transformer.from_context(None)
_as_literal = _transformer.as_literal

# psycopg's ``Transformer.as_literal``: a Python value → the bytes of its SQL literal.
AsLiteral = Callable[[Any], bytes]


class Adapters(AdaptersMap):
    """psycopg's adapters map for one connection (``connection.adapters``), as psycopg's own
    connections have: registrations such as ``register_hstore(info, connection)`` land here and
    its literals follow them. ``generation`` counts registrations so a cached transformer knows
    when it is stale."""

    generation = 0

    def register_dumper(self, cls: Any, dumper: Any) -> None:
        super().register_dumper(cls, dumper)
        self.generation += 1

    def register_loader(self, oid: Any, loader: Any) -> None:
        super().register_loader(oid, loader)
        self.generation += 1


def literal_function(adapters: AdaptersMap) -> AsLiteral:
    """psycopg's ``as_literal`` over ``adapters`` (a fresh transformer: dumpers are cached). An
    ``AdaptersMap`` is itself one of psycopg's ``AdaptContext`` objects (with no connection)."""
    return Transformer(adapters).as_literal


def quote(value: Any, as_literal: AsLiteral = _as_literal) -> str:
    if type(value) is list and value:
        text = _text_array_literal(value)
        if text is not None:
            return text
    elif type(value) is Decimal and value.is_nan():
        # PostgreSQL's NaN has no sign (psycopg writes Decimal("-NaN") as bare -NaN, not SQL).
        return "'NaN'::numeric"
    try:
        return as_literal(value).decode("utf-8")
    except PsycopgDataError as error:
        raise DataError(str(error), pgcode="22021") from None
    except PsycopgError as error:
        raise ProgrammingError(
            f"cannot adapt a value of type {type(value).__name__} to SQL: {error}"
        ) from None


# When psycopg quotes an element of a text array (its ListDumper's rule, with "," as delimiter):
# empty, NULL, a special or white-space character, or a Unicode space CockroachDB strips.
_ARRAY_ELEMENT_NEEDS_QUOTES = re.compile(
    '^$|["{},\\\\ \\t\\n\\r\\f\\v\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]|^null$',
    re.I | re.A,
)


def _text_array_literal(values: list[Any]) -> str | None:
    """psycopg's literal for a list of strings (and None), without its per-element dumper lookups:
    bulk_create sends every text column as one such array (``UNNEST(%s::varchar[])``).
    None when the list holds anything else; psycopg then does it (and raises what it raises)."""
    tokens = []
    needs_quotes = _ARRAY_ELEMENT_NEEDS_QUOTES.search
    for item in values:
        if type(item) is str:
            if "\x00" in item:
                return None
            if needs_quotes(item):
                item = '"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"'
            tokens.append(item)
        elif item is None:
            tokens.append("NULL")
        else:
            return None
    text = "{" + ",".join(tokens) + "}"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return None
    text = text.replace("'", "''")
    if "\\" in text:
        return " E'" + text.replace("\\", "\\\\") + "'"
    return "'" + text + "'"


def protected_spans(sql: str) -> list[tuple[int, int]]:
    """Where ``sql`` has quoted identifiers, string literals, dollar quotes and comments (sorted
    (start, end) pairs): text inside them is not SQL."""
    if not any(c in sql for c in "'\"$-/"):
        return []
    return [m.span() for m in _PROTECTED.finditer(sql)]


def _inside(spans: list[tuple[int, int]], position: int) -> int | None:
    """The start of the protected span holding ``position``, if any."""
    index = bisect.bisect_right(spans, (position, float("inf"))) - 1
    if index >= 0 and spans[index][0] <= position < spans[index][1]:
        return spans[index][0]
    return None


def _in_comment(literal: str) -> str:
    """A literal substituted into a comment (as psycopg does) must not be able to end it."""
    return literal.replace("\r", " ").replace("\n", " ").replace("*/", "* /").replace("/*", "/ *")


# psycopg's limits for its own cache of parsed queries: an ORM's statements, which repeat, are
# short; a long one (an IN list of many values) seldom repeats, and would make a big entry.
_CACHED_SQL_LENGTH = 4096
_CACHED_PARAMS = 50


def _placeholder_problem(sql: str, quote_start: int | None, kind: str) -> str | None:
    """Why a placeholder can never be filled, whatever the parameters."""
    if quote_start is not None and not sql.startswith(("--", "/*"), quote_start):
        return (
            "a placeholder inside a SQL string literal, quoted identifier or dollar quote: "
            "its value could end the quote and run as SQL; pass the whole value as a "
            "parameter instead (write '%%' for a literal percent sign)"
        )
    if kind not in "sbt":
        return (
            f"only '%s', '%b', '%t' placeholders are allowed, got '%{kind}' "
            "(write '%%' for a literal percent sign)"
        )
    return None


# Where a dialect's SQL has literals, quoted identifiers and comments: (start, end) pairs.
SpanScanner = Callable[[str], list[tuple[int, int]]]


def _split_at_placeholders(
    sql: str, spans: SpanScanner = protected_spans
) -> tuple[tuple[tuple[str, str | None, str | None, bool], ...], str]:
    """The SQL cut at its placeholders: ``((text before, name, problem, in a comment), …)`` and
    the text after the last one, with ``%%`` already turned into ``%``."""
    placeholders = []
    text = []
    last = 0
    protected = spans(sql)
    for match in _PLACEHOLDER.finditer(sql):
        name, kind = match.group(1), match.group(2)
        text.append(sql[last : match.start()])
        last = match.end()
        if kind == "%" and name is None:
            text.append("%")
            continue
        quote_start = _inside(protected, match.start()) if protected else None
        problem = _placeholder_problem(sql, quote_start, kind)
        placeholders.append(("".join(text), name, problem, quote_start is not None))
        text = []
    text.append(sql[last:])
    return tuple(placeholders), "".join(text)


# A pure function of the SQL text: an ORM sends the same few statements over and over.
_split_at_placeholders_cached = functools.lru_cache(maxsize=128)(_split_at_placeholders)


def _is_named(params: Any) -> bool:
    """Whether ``params`` is a mapping (named placeholders) rather than a sequence."""
    kind = type(params)
    if kind is list or kind is tuple:
        return False
    if kind is dict:
        return True
    named = isinstance(params, Mapping)
    if not named and not isinstance(params, Sequence) or isinstance(params, (str, bytes)):
        raise ProgrammingError(
            f"parameters must be a sequence or a mapping, not {type(params).__name__}"
        )
    return named


def _named_value(params: Any, name: str | None) -> Any:
    if name is None:
        raise ProgrammingError("positional placeholders need a sequence of parameters")
    try:
        return params[name]
    except KeyError:
        raise ProgrammingError(f"no parameter named {name!r}") from None


def interpolate(
    sql: str,
    params: Any,
    as_literal: AsLiteral = _as_literal,
    *,
    quote_value: Callable[[Any], str] | None = None,
    spans: SpanScanner = protected_spans,
) -> str:
    """Replace placeholders with literals; ``%%`` becomes ``%`` (psycopg's rules).
    ``as_literal`` is a connection's (``Connection.as_literal``), for its registered types;
    another dialect passes its own ``quote_value`` and the ``spans`` of its quoting rules."""
    if params is None:
        return sql
    if "%" not in sql:
        if params:
            raise ProgrammingError(
                f"the query has 0 placeholders but {len(params)} parameters were passed"
            )
        return sql
    named = _is_named(params)
    if len(sql) <= _CACHED_SQL_LENGTH and len(params) <= _CACHED_PARAMS:
        placeholders, tail = _split_at_placeholders_cached(sql, spans)
    else:
        placeholders, tail = _split_at_placeholders(sql, spans)
    out = []
    index = 0
    for text, name, problem, in_comment in placeholders:
        out.append(text)
        if problem is not None:
            raise ProgrammingError(problem)
        if named:
            value = _named_value(params, name)
        elif name is not None:
            raise ProgrammingError("named placeholders need a mapping of parameters")
        elif index < len(params):
            value = params[index]
            index += 1
        else:
            raise ProgrammingError(
                f"the query has more placeholders than the {len(params)} parameters passed"
            )
        literal = quote(value, as_literal) if quote_value is None else quote_value(value)
        out.append(_in_comment(literal) if in_comment else literal)
    if not named and index != len(params):
        raise ProgrammingError(
            f"the query has {index} placeholders but {len(params)} parameters were passed"
        )
    out.append(tail)
    return "".join(out)
