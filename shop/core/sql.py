"""Helpers for the few queries of checkout's hot path that are written out in SQL (no
queryset to build and compile on every request): quoted names and IN lists, and the
conditional statement that takes stock or room on a run in one round trip or refuses
with nothing changed (stock reservations and run bookings both use it)."""

from django.db import DataError, OperationalError, connection, connections, transaction

# Two buyers holding the same stock (or room) at once can deadlock inside this one
# statement on PostgreSQL: it locks the rows in id order, then its UPDATE re-reads a row
# another buyer changed after the statement began, and queues for the row's tuple lock
# behind a buyer who waits for it. PostgreSQL ends one of them after deadlock_timeout with
# nothing changed, so that one runs again; seen once in about 3,000 orders of 16 buyers
# on one product (bench/checkout_lock_bench.py).
DEADLOCK_TRIES = 3
DEADLOCK_SQLSTATE = "40P01"


def table(model):
    return connection.ops.quote_name(model._meta.db_table)


def column(model, field):
    return connection.ops.quote_name(model._meta.get_field(field).column)


def in_list(values):
    """Placeholders for ``IN (...)``: one per value."""
    return ", ".join(["%s"] * len(values))


def rows(sql, params, using="default"):
    with connections[using].cursor() as cursor:
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
    for attempt in range(1, DEADLOCK_TRIES + 1):
        try:
            if own:
                return rows(statement, params)
            with transaction.atomic():
                return rows(statement, params)
        except DataError as error:
            if REFUSED_MARK not in str(error):
                raise
            raise refused from None
        except OperationalError as error:
            if not _is_deadlock(error) or attempt == DEADLOCK_TRIES:
                raise


def _is_deadlock(error):
    return getattr(error.__cause__, "sqlstate", None) == DEADLOCK_SQLSTATE
