"""The running figures: small sums the impact page and the team reports read, kept up
to date by ``shop.figures.running`` in the transaction of each order event.

A ``Cell`` is one group of goods handed over (or of credits, or of payouts) on one day,
for all teams (``team`` 0) or one team: its ``dim`` says what it groups by and ``key``
(``sub``, ``text``) which one. Every order, delivered run and payout adds its share to
the cells it touches; that share is kept as a ``Contribution`` so a later event applies
only the difference. ``orders`` counts the orders (runs, payouts) that touch the cell:
as each of them touches a cell once, the sums over days and teams stay distinct counts.
Money is kept in fen, so sums are exact on every database.
"""

from django.db import models


class Cell(models.Model):
    day = models.DateField()
    team = models.BigIntegerField(default=0)  # partner id; 0: every team
    dim = models.CharField(max_length=12)
    key = models.BigIntegerField(default=0)
    sub = models.BigIntegerField(default=0)
    text = models.CharField(max_length=254, default="", blank=True)
    label = models.CharField(max_length=255, default="", blank=True)
    orders = models.BigIntegerField(default=0)
    quantity = models.BigIntegerField(default=0)
    grams = models.BigIntegerField(default=0)
    amount_fen = models.BigIntegerField(default=0)
    income_fen = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "team", "dim", "key", "sub", "text"], name="figures_cell_key"
            )
        ]
        indexes = [models.Index(fields=["dim", "team", "day"], name="figures_cell_dim")]

    def __str__(self):
        return f"{self.day} {self.team} {self.dim} {self.key}/{self.sub}/{self.text}"


class Contribution(models.Model):
    """What one order (``kind`` "order"), delivered run ("run") or payout ("payout")
    has added to the cells, as a list of [cell key..., label, values...]."""

    kind = models.CharField(max_length=8)
    object_id = models.BigIntegerField()
    cells = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="figures_contribution_key")
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id}"
