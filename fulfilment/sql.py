"""Helpers for the few queries of checkout's hot path that are written out in SQL (no
queryset to build and compile on every request): quoted names and IN lists."""

from django.db import connection


def table(model):
    return connection.ops.quote_name(model._meta.db_table)


def column(model, field):
    return connection.ops.quote_name(model._meta.get_field(field).column)


def in_list(values):
    """Placeholders for ``IN (...)``: one per value."""
    return ", ".join(["%s"] * len(values))


def rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def execute(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
