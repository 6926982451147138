"""Rows of one model with the rows its foreign keys name, from one statement whose SQL is
written once per process: what ``filter(<column>=value).select_related(...)`` loads, without
Django building and compiling the query on every call.

The basket's lines are read on the basket page and on every checkout step, each with its
product, product class, stock record and team (68 columns). Django compiled that query
anew each time: about 0.75 ms of a 1.8 ms read, and as much again building the instances
through the generic path. Here the statement and the column positions are worked out on
the first call (per database alias); later calls run it and build each instance with
``Model.from_db``, as Django's own iterator does, applying the same value converters, and
cache every related instance (or ``None``) on the row that names it, as ``select_related``
does.

Only forward foreign keys are followed; a missing related row (a nullable key) joins as
``None``.

On PostgreSQL each related row is read by its key in a ``LATERAL`` subquery (``LIMIT 1``),
which the planner can only run as one index lookup per line. With plain joins it could
choose a merge join that walks the related table's whole primary-key index: it does when
the table's statistics do not yet know the highest key, as for a product added since the
last ``ANALYZE``; a basket holding the newest of 10,000 products took 5 ms of the
database's time on every read instead of 0.4 ms (issue 23).
"""

from django.db import connections


class Joined:
    """``model`` rows where ``column`` equals a value, ordered by primary key, each with
    the related rows along ``paths`` (``"product"``, ``"product__product_class"``…)."""

    def __init__(self, model, column, paths):
        self.model, self.column, self.paths = model, column, tuple(paths)
        self._built = {}

    def fetch(self, value, using="default"):
        return self.fetch_in([value], using)

    def fetch_in(self, values, using="default"):
        """The rows whose column holds any of ``values`` (``filter(<column>__in=values)``),
        ordered by primary key."""
        if not values:
            return []
        built = self._built.get(using)
        if built is None:
            built = self._built[using] = self._build(using)
        sql, parts, links, where, (select, order) = built
        connection = connections[using]
        if len(values) > 1:
            # (shop.core.sql.in_list's placeholders: this layer may not import it)
            sql = f"{select} IN ({', '.join(['%s'] * len(values))}) {order}"
        with connection.cursor() as cursor:
            # Each value as the ORM would send it ("12" from a URL is the number 12).
            cursor.execute(sql, [where.get_db_prep_value(value, connection) for value in values])
            found = cursor.fetchall()
        loaded = []
        for row in found:
            objects = [self._instance(row, part, connection, using) for part in parts]
            for parent, field, child in links:
                if objects[parent] is not None:
                    field.set_cached_value(objects[parent], objects[child])
            loaded.append(objects[0])
        return loaded

    @staticmethod
    def _instance(row, part, connection, using):
        model, start, end, names, key, converters = part
        values = list(row[start:end])
        if values[key] is None:  # the foreign key was null
            return None
        for index, expression, functions in converters:
            for convert in functions:
                values[index] = convert(values[index], expression, connection)
        return model.from_db(using, names, values)

    def _build(self, using):
        connection = connections[using]
        quote = connection.ops.quote_name
        aliases = {"": (self.model, "t0", 0)}  # path -> (model, alias, index in parts)
        parts, links, joins, columns = [], [], [], []

        def add(model, alias):
            # Model.from_db takes the values in the model's own field order.
            fields = list(model._meta.concrete_fields)
            start = len(columns)
            columns.extend(f"{quote(alias)}.{quote(f.column)}" for f in fields)
            converters = []
            for index, field in enumerate(fields):
                expression = field.get_col(alias)
                functions = connection.ops.get_db_converters(
                    expression
                ) + expression.get_db_converters(connection)
                if functions:
                    converters.append((index, expression, functions))
            names = [f.attname for f in fields]
            key = fields.index(model._meta.pk)
            parts.append((model, start, len(columns), names, key, converters))

        add(self.model, "t0")
        for path in self.paths:
            parent_path, _, name = path.rpartition("__")
            parent_model, parent_alias, parent_index = aliases[parent_path]
            field = parent_model._meta.get_field(name)
            if not field.many_to_one:
                raise ValueError(f"{path}: only foreign keys are followed")
            model = field.related_model
            alias = f"t{len(parts)}"
            target = field.target_field
            table = quote(model._meta.db_table)
            parent_key = f"{quote(parent_alias)}.{quote(field.column)}"
            if connection.vendor == "postgresql":
                joins.append(
                    f"LEFT JOIN LATERAL (SELECT * FROM {table} "
                    f"WHERE {table}.{quote(target.column)} = {parent_key} LIMIT 1) "
                    f"{quote(alias)} ON TRUE"
                )
            else:
                joins.append(
                    f"LEFT OUTER JOIN {table} {quote(alias)} "
                    f"ON {quote(alias)}.{quote(target.column)} = {parent_key}"
                )
            aliases[path] = (model, alias, len(parts))
            links.append((parent_index, field, len(parts)))
            add(model, alias)
        where = self.model._meta.get_field(self.column)
        select = (
            f"SELECT {', '.join(columns)} FROM {quote(self.model._meta.db_table)} {quote('t0')} "
            f"{' '.join(joins)} WHERE {quote('t0')}.{quote(where.column)}"
        )
        order = f"ORDER BY {quote('t0')}.{quote(self.model._meta.pk.column)}"
        # The statement for one value, and its two halves for an IN list of several.
        return f"{select} = %s {order}", parts, links, where, (select, order)
