"""The database's own full-text engine behind one call, ``page``: ranked ids and the count.

A query arrives as groups of alternatives, ``[[(term, is_prefix), ...], ...]``: every
group must match. Both engines rank title hits above body hits, things from the villages
the buyer named first (``villages``: a query of their ids, run inside the statement),
in-stock above sold-out, then by BM25 (SQLite FTS5) or
``ts_rank`` over the stored vector (PostgreSQL). The index itself is kept by the
database (see ``shop.search.models``).
"""

from django.db import connection

from shop.search.models import SearchDocument

TABLE = SearchDocument._meta.db_table
SQLITE_FTS = "catalogue_search_fts"


def village_order(villages):
    """An ORDER BY term putting things from the villages the buyer named first, and its
    parameters; ``villages`` is a queryset of their ids, or None."""
    if villages is None:
        return "(1 = 0)", []
    sql, params = villages.query.sql_with_params()
    return f"(d.village_id IN ({sql}))", list(params)


class Engine:
    def page(self, groups, offset, limit, villages=None):
        """(how many documents match, the ids of ranks ``offset`` to ``offset + limit``)
        in one statement (PostgreSQL counts in a window over the matches; SQLite's
        bm25 refuses a window, so it counts in a subquery). A page past the end
        has no rows, so it does not know the count (None)."""
        raise NotImplementedError

    @staticmethod
    def _page(rows):
        return (rows[0][1] if rows else None), [row[0] for row in rows]


class SqliteEngine(Engine):
    @staticmethod
    def _term(term, prefix):
        return '"' + term.replace('"', '""') + '"' + ("*" if prefix else "")

    def expression(self, groups, column=None):
        parts = []
        for group in groups:
            alts = " OR ".join(self._term(t, p) for t, p in group)
            parts.append(f"({alts})")
        expr = " AND ".join(parts)
        return f"{{{column}}} : ({expr})" if column else expr

    def page(self, groups, offset, limit, villages=None):
        order, order_params = village_order(villages)
        sql = f"""
            SELECT d.id, (SELECT count(*) FROM {SQLITE_FTS} WHERE {SQLITE_FTS} MATCH %s)
            FROM {SQLITE_FTS} f
            JOIN {TABLE} d ON d.id = f.rowid
            WHERE {SQLITE_FTS} MATCH %s
            ORDER BY (f.rowid IN (SELECT rowid FROM {SQLITE_FTS}
                                  WHERE {SQLITE_FTS} MATCH %s)) DESC,
                     {order} DESC,
                     d.in_stock DESC,
                     bm25({SQLITE_FTS}, 10.0, 1.0),
                     d.id
            LIMIT %s OFFSET %s
        """
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                [
                    self.expression(groups),
                    self.expression(groups),
                    self.expression(groups, "title_tokens"),
                    *order_params,
                    limit,
                    offset,
                ],
            )
            return self._page(cursor.fetchall())


class PostgresEngine(Engine):
    """Reads the stored ``search_vector`` (title lexemes weight A, body weight B): neither
    the GIN recheck nor the ranking parses a document's tokens again."""

    @staticmethod
    def _term(term, prefix):
        quoted = "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
        return quoted + (":*" if prefix else "")

    def expression(self, groups):
        return " & ".join("(" + " | ".join(self._term(t, p) for t, p in g) + ")" for g in groups)

    def page(self, groups, offset, limit, villages=None):
        order, order_params = village_order(villages)
        # The ranks are worked out below the window (OFFSET 0 keeps the planner from
        # moving them above it): otherwise every match's whole vector goes through the
        # window's store to be ranked after it, 2,500 matches took 20 ms instead of 6.
        sql = f"""
            SELECT id, count(*) OVER () FROM (
                SELECT d.id,
                       ts_filter(d.search_vector, '{{a}}') @@ q AS in_title,
                       {order} AS in_village,
                       d.in_stock,
                       ts_rank('{{0.1, 0.2, 0.4, 1.0}}', d.search_vector, q) AS rank
                FROM {TABLE} d, to_tsquery('simple', %s) q
                WHERE d.search_vector @@ q
                OFFSET 0
            ) ranked
            ORDER BY in_title DESC, in_village DESC, in_stock DESC, rank DESC, id
            LIMIT %s OFFSET %s
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [*order_params, self.expression(groups), limit, offset])
            return self._page(cursor.fetchall())


def engine():
    return PostgresEngine() if connection.vendor == "postgresql" else SqliteEngine()
