"""The database's own full-text engine behind two calls: ``count`` and ranked ``ids``.

A query arrives as groups of alternatives, ``[[(term, is_prefix), ...], ...]``: every
group must match. Both engines rank title hits above body hits, things from the villages
the buyer named first, in-stock above sold-out, then by BM25 (SQLite FTS5) or
``ts_rank`` over the stored vector (PostgreSQL). The index itself is kept by the
database (see ``shop.search.models``).
"""

from django.db import connection

from shop.search.models import SearchDocument

TABLE = SearchDocument._meta.db_table
SQLITE_FTS = "catalogue_search_fts"


def village_order(village_ids):
    """An ORDER BY term putting things from the villages the buyer named first."""
    ids = ",".join(str(int(pk)) for pk in village_ids)
    return f"(d.village_id IN ({ids}))" if ids else "(1 = 0)"


class SqliteEngine:
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

    def count(self, groups):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {SQLITE_FTS} WHERE {SQLITE_FTS} MATCH %s",
                [self.expression(groups)],
            )
            return cursor.fetchone()[0]

    def ids(self, groups, offset, limit, villages=()):
        sql = f"""
            SELECT d.id FROM {SQLITE_FTS} f
            JOIN {TABLE} d ON d.id = f.rowid
            WHERE {SQLITE_FTS} MATCH %s
            ORDER BY (f.rowid IN (SELECT rowid FROM {SQLITE_FTS}
                                  WHERE {SQLITE_FTS} MATCH %s)) DESC,
                     {village_order(villages)} DESC,
                     d.in_stock DESC,
                     bm25({SQLITE_FTS}, 10.0, 1.0),
                     d.id
            LIMIT %s OFFSET %s
        """
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                [self.expression(groups), self.expression(groups, "title_tokens"), limit, offset],
            )
            return [row[0] for row in cursor.fetchall()]


class PostgresEngine:
    """Reads the stored ``search_vector`` (title lexemes weight A, body weight B): neither
    the GIN recheck nor the ranking parses a document's tokens again."""

    @staticmethod
    def _term(term, prefix):
        quoted = "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
        return quoted + (":*" if prefix else "")

    def expression(self, groups):
        return " & ".join("(" + " | ".join(self._term(t, p) for t, p in g) + ")" for g in groups)

    def count(self, groups):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {TABLE} d WHERE d.search_vector @@ to_tsquery('simple', %s)",
                [self.expression(groups)],
            )
            return cursor.fetchone()[0]

    def ids(self, groups, offset, limit, villages=()):
        sql = f"""
            SELECT d.id FROM {TABLE} d, to_tsquery('simple', %s) q
            WHERE d.search_vector @@ q
            ORDER BY (ts_filter(d.search_vector, '{{a}}') @@ q) DESC,
                     {village_order(villages)} DESC,
                     d.in_stock DESC,
                     ts_rank('{{0.1, 0.2, 0.4, 1.0}}', d.search_vector, q) DESC,
                     d.id
            LIMIT %s OFFSET %s
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.expression(groups), limit, offset])
            return [row[0] for row in cursor.fetchall()]


def engine():
    return PostgresEngine() if connection.vendor == "postgresql" else SqliteEngine()
