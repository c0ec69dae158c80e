"""Django's PostgreSQL introspection, with catalog queries that only return types the executor can
serialise (``"char"``, ``name[]`` and ``oid`` are cast to text or integers)."""

from django.db.backends.postgresql.introspection import (
    DatabaseIntrospection as PostgresIntrospection,
)
from django.db.backends.postgresql.introspection import FieldInfo
from django.db.models import Index

_COLUMNS_SQL = """
    SELECT
        a.attname::text,
        a.atttypid::int,
        a.attlen::int,
        a.atttypmod::int,
        NOT (a.attnotnull OR (t.typtype = 'd' AND t.typnotnull)) AS is_nullable,
        pg_get_expr(ad.adbin, ad.adrelid) AS column_default,
        CASE WHEN collname = 'default' THEN NULL ELSE collname::text END AS collation,
        a.attidentity::text != '' AS is_autofield,
        col_description(a.attrelid, a.attnum) AS column_comment
    FROM pg_attribute a
    LEFT JOIN pg_attrdef ad ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
    LEFT JOIN pg_collation co ON a.attcollation = co.oid
    JOIN pg_type t ON a.atttypid = t.oid
    JOIN pg_class c ON a.attrelid = c.oid
    JOIN pg_namespace n ON c.relnamespace = n.oid
    WHERE c.relkind IN ('f', 'm', 'p', 'r', 'v')
        AND c.relname = %s
        AND n.nspname NOT IN ('pg_catalog', 'pg_toast')
        AND pg_catalog.pg_table_is_visible(c.oid)
        AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY a.attnum
"""

_VARCHAR_LIKE = {1042, 1043}
_NUMERIC = 1700
_TIME_LIKE = {1083, 1114, 1184, 1266, 1186}


def _sizes(type_oid, length, typmod):
    """(display_size, internal_size, precision, scale) as psycopg's cursor.description gives."""
    display = precision = scale = None
    if type_oid in _VARCHAR_LIKE and typmod >= 4:
        display = typmod - 4
    elif type_oid == _NUMERIC and typmod >= 4:
        precision = ((typmod - 4) >> 16) & 0xFFFF
        scale = (typmod - 4) & 0xFFFF
        display = precision
    elif type_oid in _TIME_LIKE and typmod >= 0:
        precision = typmod
    return display, length if length > 0 else None, precision, scale


class DatabaseIntrospection(PostgresIntrospection):
    def get_table_description(self, cursor, table_name):
        cursor.execute(_COLUMNS_SQL, [table_name])
        rows = cursor.fetchall()
        if not rows:
            # Raise what PostgreSQL raises for a missing table, as Django's backend does.
            table = self.connection.ops.quote_name(table_name)
            cursor.execute(f"SELECT * FROM {table} LIMIT 0")
        result = []
        for name, type_oid, length, typmod, *rest in rows:
            display, internal, precision, scale = _sizes(type_oid, length, typmod)
            result.append(
                FieldInfo(
                    name,
                    type_oid,
                    internal if display is None else display,
                    internal,
                    precision,
                    scale,
                    *rest,
                )
            )
        return result

    def get_constraints(self, cursor, table_name):
        constraints = {}
        cursor.execute(
            """
            SELECT
                c.conname::text,
                array(
                    SELECT attname::text
                    FROM unnest(c.conkey) WITH ORDINALITY cols(colid, arridx)
                    JOIN pg_attribute AS ca ON cols.colid = ca.attnum
                    WHERE ca.attrelid = c.conrelid
                    ORDER BY cols.arridx
                ),
                c.contype::text,
                (SELECT fkc.relname || '.' || fka.attname
                FROM pg_attribute AS fka
                JOIN pg_class AS fkc ON fka.attrelid = fkc.oid
                WHERE fka.attrelid = c.confrelid AND fka.attnum = c.confkey[1]),
                cl.reloptions
            FROM pg_constraint AS c
            JOIN pg_class AS cl ON c.conrelid = cl.oid
            WHERE cl.relname = %s AND pg_catalog.pg_table_is_visible(cl.oid)
            """,
            [table_name],
        )
        for constraint, columns, kind, used_cols, options in cursor.fetchall():
            constraints[constraint] = {
                "columns": columns,
                "primary_key": kind == "p",
                "unique": kind in ["p", "u"],
                "foreign_key": tuple(used_cols.split(".", 1)) if kind == "f" else None,
                "check": kind == "c",
                "index": False,
                "definition": None,
                "options": options,
            }
        cursor.execute(
            """
            SELECT
                indexname,
                array_agg(attname::text ORDER BY arridx),
                indisunique,
                indisprimary,
                array_agg(ordering ORDER BY arridx),
                amname::text,
                exprdef,
                s2.attoptions
            FROM (
                SELECT
                    c2.relname::text as indexname, idx.*, attr.attname, am.amname,
                    CASE
                        WHEN idx.indexprs IS NOT NULL THEN
                            pg_get_indexdef(idx.indexrelid)
                    END AS exprdef,
                    CASE am.amname
                        WHEN %s THEN
                            CASE (option & 1)
                                WHEN 1 THEN 'DESC' ELSE 'ASC'
                            END
                    END as ordering,
                    c2.reloptions as attoptions
                FROM (
                    SELECT i.indexrelid, i.indrelid, i.indisunique, i.indisprimary,
                        i.indexprs, koi.key, koi.option, koi.arridx
                    FROM
                        pg_index i,
                        unnest(i.indkey, i.indoption)
                            WITH ORDINALITY koi(key, option, arridx)
                ) idx
                LEFT JOIN pg_class c ON idx.indrelid = c.oid
                LEFT JOIN pg_class c2 ON idx.indexrelid = c2.oid
                LEFT JOIN pg_am am ON c2.relam = am.oid
                LEFT JOIN
                    pg_attribute attr ON attr.attrelid = c.oid AND attr.attnum = idx.key
                WHERE c.relname = %s AND pg_catalog.pg_table_is_visible(c.oid)
            ) s2
            GROUP BY indexname, indisunique, indisprimary, amname, exprdef, attoptions
            """,
            [self.index_default_access_method, table_name],
        )
        for (
            index,
            columns,
            unique,
            primary,
            orders,
            type_,
            definition,
            options,
        ) in cursor.fetchall():
            if index not in constraints:
                basic_index = (
                    type_ == self.index_default_access_method
                    and not index.endswith("_btree")
                    and options is None
                )
                constraints[index] = {
                    "columns": columns if columns != [None] else [],
                    "orders": orders if orders != [None] else [],
                    "primary_key": primary,
                    "unique": unique,
                    "foreign_key": None,
                    "check": False,
                    "index": True,
                    "type": Index.suffix if basic_index else type_,
                    "definition": definition,
                    "options": options,
                }
        return constraints
