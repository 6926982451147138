"""The full-text index behind site search, in the database's own engine.

SQLite: an FTS5 table using ``catalogue_searchdocument`` as external content,
kept in step by triggers, so any write to a search document (ORM, bulk, cascade)
updates the index. PostgreSQL: a GIN index over the weighted ``tsvector`` of
the pre-segmented tokens (title weight A, body weight B).
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE catalogue_search_fts USING fts5(
        title_tokens, body_tokens,
        content='catalogue_searchdocument', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2"
    )""",
    """CREATE TRIGGER catalogue_search_ai AFTER INSERT ON catalogue_searchdocument BEGIN
        INSERT INTO catalogue_search_fts(rowid, title_tokens, body_tokens)
        VALUES (new.id, new.title_tokens, new.body_tokens);
    END""",
    """CREATE TRIGGER catalogue_search_ad AFTER DELETE ON catalogue_searchdocument BEGIN
        INSERT INTO catalogue_search_fts(catalogue_search_fts, rowid, title_tokens, body_tokens)
        VALUES ('delete', old.id, old.title_tokens, old.body_tokens);
    END""",
    """CREATE TRIGGER catalogue_search_au AFTER UPDATE ON catalogue_searchdocument BEGIN
        INSERT INTO catalogue_search_fts(catalogue_search_fts, rowid, title_tokens, body_tokens)
        VALUES ('delete', old.id, old.title_tokens, old.body_tokens);
        INSERT INTO catalogue_search_fts(rowid, title_tokens, body_tokens)
        VALUES (new.id, new.title_tokens, new.body_tokens);
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS catalogue_search_au",
    "DROP TRIGGER IF EXISTS catalogue_search_ad",
    "DROP TRIGGER IF EXISTS catalogue_search_ai",
    "DROP TABLE IF EXISTS catalogue_search_fts",
]
POSTGRES_FORWARD = [
    """CREATE INDEX catalogue_search_tsv ON catalogue_searchdocument USING GIN (
        (setweight(to_tsvector('simple', title_tokens), 'A')
         || setweight(to_tsvector('simple', body_tokens), 'B'))
    )""",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS catalogue_search_tsv"]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0034_search_document")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
