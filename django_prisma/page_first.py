"""A sliced ``select_related`` query selects its page before it joins.

PostgreSQL does not push a LIMIT below a join: ``Book.objects.select_related("author")
.filter(pages__gt=n).order_by("-price")[:20]`` hash-joins every matching book (7,000 of 10,000 in
``bench/``) and then keeps 20 with a top-N sort; Prisma Client sends the page first and its
relations after. When the WHERE and ORDER BY read only the base table and every join follows a
to-one relation (a foreign key, a one-to-one either way), the compiler writes::

    SELECT … FROM (SELECT "book".* FROM "book" WHERE … ORDER BY … LIMIT <high mark>) "book"
    LEFT OUTER JOIN "author" ON … ORDER BY … LIMIT … OFFSET …

A to-one join never multiplies rows, but an INNER one (a non-null foreign key) drops a row whose
related row is missing: a deferred constraint inside a transaction, a table without its
constraint. Such joins become LEFT OUTER and the page is checked: a missing related row sends the
query again as Django wrote it, so the rows are always Django's.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db.models.expressions import BaseExpression, Col, RawSQL, Subquery
from django.db.models.fields.related import ForeignKey
from django.db.models.fields.reverse_related import OneToOneRel
from django.db.models.lookups import Lookup
from django.db.models.sql.constants import INNER, LOUTER
from django.db.models.sql.datastructures import BaseTable, Join
from django.db.models.sql.query import Query
from django.db.models.sql.where import WhereNode


@dataclass
class PageFirst:
    inner_sql: str
    inner_params: list
    base_alias: str
    checked_columns: list[int]  # select indexes of the INNER joins' target columns

    def from_clause(self, compiler):
        """``get_from_clause()``'s result: the page as the base table, INNER joins promoted."""
        query = compiler.query
        result = [f"({self.inner_sql}) {compiler.quote_name_unless_alias(self.base_alias)}"]
        params = list(self.inner_params)
        for alias, join in tuple(query.alias_map.items()):
            if alias == self.base_alias or not query.alias_refcount[alias]:
                continue
            sql, join_params = compiler.compile(join.promote() if join.join_type == INNER else join)
            result.append(sql)
            params.extend(join_params)
        return result, params

    def missing_related_row(self, chunks) -> bool:
        return any(
            row[index] is None
            for chunk in chunks
            for row in chunk
            for index in self.checked_columns
        )


def plan(compiler, order_by, extra_select) -> PageFirst | None:
    """The page-first form of the query ``compiler`` is about to write, or None when the query
    is not a sliced, ordered select_related over to-one joins filtered on the base table only."""
    query = compiler.query
    if not _is_plain_sliced_page(compiler, order_by, extra_select):
        return None
    aliases = [alias for alias in query.alias_map if query.alias_refcount[alias]]
    base_alias = query.base_table
    if not aliases or aliases[0] != base_alias:
        return None
    base = query.alias_map[base_alias]
    if type(base) is not BaseTable:
        return None
    joins = [query.alias_map[alias] for alias in aliases[1:]]
    if not joins or not _to_one_chain(base_alias, joins):
        return None
    if not _filters_and_orders_base_only(compiler, order_by, base_alias):
        return None
    checked = _inner_join_columns(compiler.select, joins)
    if checked is None:
        return None
    inner = _inner_sql(compiler, base, base_alias, order_by)
    if inner is None:
        return None
    inner_sql, inner_params = inner
    return PageFirst(inner_sql, inner_params, base_alias, checked)


def _is_plain_sliced_page(compiler, order_by, extra_select) -> bool:
    """A sliced, ordered select_related query with nothing that needs the whole row set at once
    (DISTINCT, GROUP BY, aggregates, locks, combinators, extra(), raw SQL in the select)."""
    query = compiler.query
    return not (
        not query.is_sliced
        or query.high_mark is None
        or not query.select_related
        or not order_by
        or extra_select
        or query.combinator
        or query.distinct
        or query.group_by is not None
        or query.select_for_update
        or query.extra
        or query.extra_tables
        or query.extra_order_by
        or query.annotation_select
        or query.explain_info
        or query.subquery
        or compiler.having is not None
        or compiler.qualify is not None
    )


def _filters_and_orders_base_only(compiler, order_by, base_alias) -> bool:
    """Columns only in the select list; WHERE and ORDER BY reading the base table only (so the
    page can be chosen before any join)."""
    if not all(isinstance(expression, Col) for expression, _, _ in compiler.select):
        return False
    if compiler.where is not None and not _reads_only(compiler.where, base_alias):
        return False
    return not any(is_ref or not _reads_only(expr, base_alias) for expr, (_, _, is_ref) in order_by)


def _inner_join_columns(select, joins) -> list[int] | None:
    """The select-list index of each INNER join's target column (a page row whose related row is
    missing must then be dropped, as the inner join would); None when one is not selected."""
    checked = []
    for join in joins:
        if join.join_type == INNER:
            index = _target_column_index(select, join)
            if index is None:
                return None
            checked.append(index)
    return checked


def _to_one_chain(base_alias, joins) -> bool:
    reachable = {base_alias}
    for join in joins:
        if (
            type(join) is not Join
            or join.filtered_relation is not None
            or join.join_type not in (INNER, LOUTER)
            or join.parent_alias not in reachable
            or len(join.join_cols) != 1
            or not isinstance(join.join_field, (ForeignKey, OneToOneRel))
        ):
            return False
        reachable.add(join.table_alias)
    return True


def _reads_only(node, alias) -> bool:
    """Whether the expression or WHERE tree reads columns of ``alias`` and nothing else (no
    other table, no subquery, no raw SQL)."""
    if isinstance(node, Col):
        return node.alias == alias
    if isinstance(node, WhereNode):
        return all(_reads_only(child, alias) for child in node.children)
    if isinstance(node, (Subquery, RawSQL, Query)):
        return False
    if isinstance(node, BaseExpression):
        if node.contains_aggregate or node.contains_over_clause:
            return False
        sources = list(node.get_source_expressions())
        if isinstance(node, Lookup) and isinstance(node.rhs, (list, tuple, set, frozenset)):
            sources.extend(value for value in node.rhs if hasattr(value, "resolve_expression"))
        return all(source is None or _reads_only(source, alias) for source in sources)
    # A plain value is fine; SQL of an unknown shape (ExtraWhere, NothingNode…) is not.
    return not hasattr(node, "as_sql") and not hasattr(node, "resolve_expression")


def _target_column_index(select, join) -> int | None:
    target = join.join_cols[0][1]
    for index, (expression, _, _) in enumerate(select):
        if expression.alias == join.table_alias and expression.target.column == target:
            return index
    return None


def _inner_sql(compiler, base, base_alias, order_by) -> tuple[str, list] | None:
    sql, params = compiler.compile(base)
    sql = f"SELECT {compiler.quote_name_unless_alias(base_alias)}.* FROM {sql}"
    params = list(params)
    if compiler.where is not None:
        try:
            where, where_params = compiler.compile(compiler.where)
        except EmptyResultSet:
            return None
        except FullResultSet:
            where, where_params = "", []
        if where:
            sql += f" WHERE {where}"
            params.extend(where_params)
    ordering = []
    for _, (order_sql, order_params, _) in order_by:
        ordering.append(order_sql)
        params.extend(order_params)
    limit = compiler.connection.ops.limit_offset_sql(0, compiler.query.high_mark)
    return f"{sql} ORDER BY {', '.join(ordering)} {limit}", params
