"""PostgreSQL keeps each document's weighted tsvector in a stored column.

Before, the GIN index was built over an expression, so every candidate row's recheck and
its ``ts_rank`` parsed the tokens again with ``to_tsvector`` (a search that found
nothing spent most of its time there at 10,000 products). ``search_vector`` is a
generated column: PostgreSQL writes it with the row, from any writer (ORM, bulk insert,
an UPDATE by hand), and the GIN index covers it. SQLite keeps its FTS5 table.
"""

from django.db import migrations

VECTOR = (
    "setweight(to_tsvector('simple', coalesce(title_tokens, '')), 'A')"
    " || setweight(to_tsvector('simple', coalesce(body_tokens, '')), 'B')"
)
FORWARD = [
    "DROP INDEX IF EXISTS catalogue_search_tsv",
    f"ALTER TABLE catalogue_searchdocument ADD COLUMN search_vector tsvector "
    f"GENERATED ALWAYS AS ({VECTOR}) STORED",
    "CREATE INDEX catalogue_search_vector ON catalogue_searchdocument USING GIN (search_vector)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS catalogue_search_vector",
    "ALTER TABLE catalogue_searchdocument DROP COLUMN IF EXISTS search_vector",
    """CREATE INDEX catalogue_search_tsv ON catalogue_searchdocument USING GIN (
        (setweight(to_tsvector('simple', title_tokens), 'A')
         || setweight(to_tsvector('simple', body_tokens), 'B'))
    )""",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("search", "0001_search_document_from_catalogue")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
