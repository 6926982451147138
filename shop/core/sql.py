"""Helpers for the few queries of checkout's hot path that are written out in SQL (no
queryset to build and compile on every request): quoted names and IN lists, and the
conditional statement that takes stock or room on a run in one round trip or refuses
with nothing changed (stock reservations and run bookings both use it)."""

from django.db import DataError, connection, transaction


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


REFUSED_MARK = "placement-refused"


def refusal(condition_sql):
    """SQL that fails (undoing the whole statement) unless ``condition_sql`` holds."""
    return f"CASE WHEN {condition_sql} THEN 0 ELSE CAST('{REFUSED_MARK}' || now() AS integer) END"


def run_statement_or_refuse(statement, params, refused):
    """Run ``statement`` (which fails through ``refusal`` when it cannot do its work) and
    return its rows, or raise ``refused``: with nothing changed either way.

    Outside a transaction the statement is a transaction of its own, so the rows it locks
    are free again as soon as it ends, without waiting for the caller's next round trip;
    its commit does not wait for the disk (``synchronous_commit``): the order written next
    commits after it and waits for both, and if the server stops before that, the order
    was never placed and the hold it loses was never needed. Inside a transaction it runs
    in a savepoint and commits with the caller."""
    own = connection.get_autocommit()  # not inside anybody's transaction
    if own:
        statement = statement.replace(
            "WITH ",
            "WITH quick AS (SELECT set_config('synchronous_commit', 'off', true) AS v), ",
            1,
        )
        statement += " CROSS JOIN quick"
    try:
        if own:
            return rows(statement, params)
        with transaction.atomic():
            return rows(statement, params)
    except DataError as error:
        if REFUSED_MARK not in str(error):
            raise
        raise refused from None
