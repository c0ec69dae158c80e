"""The fast path for text-array literals (bulk_create's UNNEST arrays) is psycopg's literal, exactly."""

import random

import pytest
from psycopg.adapt import Transformer

from django_prisma.dbapi.literals import _text_array_literal, quote

AS_LITERAL = Transformer.from_context(None).as_literal
ALPHABET = [
    *"abNULnul",
    *" \"'\\{},\t\n\r\x0b\x0c%$",
    *"\u1680\u2000\u2005\u200a\u200b\u2028\u2029\u202f\u205f\u3000\xa0\x85\x1c",
    "é",
    "😀",
    "null",
    "NULL",
]


def test_matches_psycopg_on_random_text_arrays():
    rnd = random.Random(6)
    for _ in range(5000):
        values = [
            None
            if rnd.random() < 0.1
            else "".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(0, 5)))
            for _ in range(rnd.randint(1, 6))
        ]
        assert _text_array_literal(values) == AS_LITERAL(values).decode(), values


@pytest.mark.parametrize(
    "values", [[1, 2], ["a", 1], [["a"]], ["a\x00b"], ["\ud800"], [b"x"]], ids=repr
)
def test_anything_else_is_left_to_psycopg(values):
    assert _text_array_literal(values) is None


def test_quote_of_an_empty_list_is_psycopgs():
    assert quote([]) == AS_LITERAL([]).decode()
