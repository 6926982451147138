"""Reads to the PostgreSQL replica, writes to the primary (DATABASE_REPLICA_URL).

Only listed in ``DATABASE_ROUTERS`` when a replica is configured. Reads inside
a transaction that has written (checkout, dashboard edits) stay on the primary
because Django pins a transaction to the connection it started on; anything
that must read its own write outside a transaction should use
``.using("default")``. Replica lag is typically well under a second; the page
cache already serves pages seconds old, so buyers see no difference.
"""

from django.db import connections


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if connections["default"].in_atomic_block:
            return "default"
        return "replica"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
