"""The site search's one table: a document per searchable product or published story."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalogue.models import Village


class SearchDocument(models.Model):
    """One row per searchable thing (a product or a published story).

    ``title_tokens``/``body_tokens`` hold jieba-segmented words separated by spaces,
    plus the pinyin (full and initials) of the words that matter, so a plain whitespace
    tokenizer can index Chinese. The display fields let a results page render without
    loading every object.

    The full-text index lives beside the table in the database's own engine and is
    written by the database on every insert or update (``migrations``): on SQLite the
    FTS5 table ``catalogue_search_fts`` kept by triggers; on PostgreSQL the stored,
    generated column ``search_vector`` (title weight A, body weight B) with a GIN index.
    Neither is a model field, so Python never computes or reads a vector.

    The table keeps its first name, ``catalogue_searchdocument``: the model moved here
    from the catalogue without moving a row.
    """

    class Kind(models.TextChoices):
        PRODUCT = "product", _("产品")
        STORY = "story", _("故事")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    object_id = models.PositiveIntegerField()
    title = models.CharField(max_length=255)
    text = models.TextField(blank=True, help_text="plain text shown in result snippets")
    url = models.CharField(max_length=255, blank=True)
    title_tokens = models.TextField(blank=True)
    body_tokens = models.TextField(blank=True)
    in_stock = models.BooleanField(default=False)
    village = models.ForeignKey(
        Village, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "catalogue_searchdocument"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="search_document_unique_object"
            )
        ]

    def __str__(self):
        return f"{self.kind}:{self.title}"
