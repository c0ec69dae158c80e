"""``%s`` / ``%(name)s`` placeholders → MySQL literals: MySQLdb's paramstyle, with placeholders
that could end a quote refused before anything is sent."""

from __future__ import annotations

import pytest

from django_prisma.dbapi import mysql as dbapi_mysql
from django_prisma.dbapi.exceptions import ProgrammingError
from django_prisma.dbapi.mysql.literals import interpolate, protected_spans

INSIDE_A_QUOTE = "a placeholder inside a SQL string literal, quoted identifier"


def test_paramstyle_is_mysqldbs():
    assert dbapi_mysql.paramstyle == "format"
    assert dbapi_mysql.apilevel == "2.0" and dbapi_mysql.threadsafety == 1


def test_positional_and_named_placeholders():
    assert interpolate("SELECT %s, %s", ["it's", None]) == "SELECT 'it\\'s', NULL"
    assert interpolate("SELECT %(a)s, %(b)s, %(a)s", {"a": 1, "b": "x"}) == "SELECT 1, 'x', 1"
    assert interpolate("SELECT %s IN %s", [1, (1, 2)]) == "SELECT 1 IN (1,2)"


def test_percent_percent_is_a_percent_sign_and_no_params_leaves_the_sql_alone():
    assert interpolate("SELECT 'a%%' LIKE %s", ["a%"]) == "SELECT 'a%' LIKE 'a%'"
    assert interpolate("SELECT 5 %% 3", []) == "SELECT 5 % 3"
    # No parameters at all (None): the text is sent as written, '%' included (MySQLdb's rule).
    assert interpolate("SELECT '100%'", None) == "SELECT '100%'"


@pytest.mark.parametrize(
    "sql, params, message",
    [
        ("SELECT %s, %s", [1], "more placeholders than the 1 parameters passed"),
        ("SELECT %s", [1, 2], "the query has 1 placeholders but 2 parameters were passed"),
        ("SELECT 1", [1], "the query has 0 placeholders but 1 parameters were passed"),
        ("SELECT %(a)s", [1], "named placeholders need a mapping of parameters"),
        ("SELECT %s", {"a": 1}, "positional placeholders need a sequence of parameters"),
        ("SELECT %(b)s", {"a": 1}, "no parameter named 'b'"),
        ("SELECT %d", [1], "only '%s', '%b', '%t' placeholders are allowed, got '%d'"),
        ("SELECT %s", "abc", "parameters must be a sequence or a mapping, not str"),
    ],
)
def test_mismatched_parameters_are_refused(sql, params, message):
    with pytest.raises(ProgrammingError) as raised:
        interpolate(sql, params)
    assert message in str(raised.value)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT '%s'",
        "SELECT 'it''s %s'",
        "SELECT 'a\\' %s'",  # MySQL's backslash escape keeps the literal open
        'SELECT "%s"',
        'SELECT "a\\" %s"',
        "SELECT `%s` FROM t",
        "SELECT 1 # %s",
    ],
)
def test_a_placeholder_inside_a_quote_or_a_hash_comment_is_refused(sql):
    with pytest.raises(ProgrammingError) as raised:
        interpolate(sql, ["x' OR 1=1 -- "])
    assert INSIDE_A_QUOTE in str(raised.value)


@pytest.mark.parametrize(
    "sql, expected",
    [
        ("SELECT 1 -- note %s\n", "SELECT 1 -- note 'a\\n\\rb * /\\n'\n"),
        ("SELECT 1 /* note %s */", "SELECT 1 /* note 'a\\n\\rb * /\\n' */"),
    ],
)
def test_a_placeholder_in_a_dash_or_block_comment_cannot_end_it(sql, expected):
    # As psycopg does: the literal goes in with comment delimiters defused, so the value can
    # never end the comment and run as SQL.
    assert interpolate(sql, ["a\n\rb */\n"]) == expected
    text = interpolate(sql, ["x */ DROP TABLE t; /* \n DROP TABLE t"])
    assert "DROP" not in code_outside_quotes_and_comments(text), text


def code_outside_quotes_and_comments(sql: str) -> str:
    spans = protected_spans(sql)
    starts = [start for start, _ in spans] + [len(sql)]
    ends = [0] + [end for _, end in spans]
    return "".join(sql[end:start] for end, start in zip(ends, starts, strict=True))


def test_quotes_and_comments_are_told_apart_from_placeholders_next_to_them():
    sql = "SELECT 'a''b', \"c\\\"d\", `e``f`, %s -- x\n, %s /* y */, %s # z"
    assert interpolate(sql, [1, 2, 3]) == (
        "SELECT 'a''b', \"c\\\"d\", `e``f`, 1 -- x\n, 2 /* y */, 3 # z"
    )
    # "--" followed by no space is not a comment in MySQL: 1 - -5.
    assert interpolate("SELECT 1 --%s", [-5]) == "SELECT 1 ---5"
