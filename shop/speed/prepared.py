"""Querysets that run on every request, compiled once per database connection.

Django builds and compiles a queryset's SQL on each evaluation; for the basket's lines,
read by every checkout step with five joined tables, that was about half the cost of
reading them. A ``PreparedQuery`` is built once with ``Slot`` placeholders where the
values go, compiled the first time each connection runs it, and from then on only sends
the stored SQL with the new values and turns the rows into model instances, with their
``select_related`` objects, the way ``QuerySet`` iteration does.

Only plain model querysets are supported: no ``prefetch_related`` (run
``prefetch_related_objects`` on the result), no ``values()``, no slicing by slot. A
``Slot(name, many=True)`` takes a list for ``__in`` (at least one value); the SQL for
each number of values is put together once per connection. Values
other than slots are fixed when the query is first compiled. The queries read the primary
database (``using``, default "default") whatever the replica router says: the basket and
the order just placed are read where they were written.
"""

import re

from django.db import connections
from django.db.models import Expression, IntegerField
from django.db.models.query import get_related_populators


class _Value:
    __slots__ = ("name", "many")

    def __init__(self, name, many=False):
        self.name = name
        self.many = many


class Slot(Expression):
    """A value given when the query runs: ``filter(basket_id=Slot("basket"))``.

    The value is sent as it is given, so it must already be what the database stores
    (an id, a string); no field conversion is applied.
    """

    def __init__(self, name, output_field=None, many=False):
        super().__init__(output_field=output_field or IntegerField())
        self.name = name
        self.many = many

    def as_sql(self, compiler, connection):
        return "%s", [_Value(self.name, self.many)]


class _Compiled:
    def __init__(self, queryset, connection):
        compiler = queryset.query.get_compiler(connection=connection)
        self.sql, params = compiler.as_sql()
        self.params = tuple(params)
        self.slots = tuple(i for i, param in enumerate(params) if isinstance(param, _Value))
        self.many = tuple(i for i in self.slots if params[i].many)
        if self.many:
            self.pieces = _PLACEHOLDER.split(self.sql)  # one more than there are params
            if len(self.pieces) != len(params) + 1:
                raise ValueError("cannot place the values of a many slot in this query")
            self.sql_for = {}  # (number of values per many slot) → SQL
        self.compiler = compiler
        select, klass_info = compiler.select, compiler.klass_info
        self.converters = compiler.get_converters([s[0] for s in select[: compiler.col_count]])
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, connection.alias)
        self.annotations = tuple((compiler.annotation_col_map or {}).items())
        self.db = connection.alias

    def run(self, connection, values):
        params = list(self.params)
        for i in self.slots:
            params[i] = values[params[i].name]
        sql = self.sql
        if self.many:
            sql, params = self._expand(params)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        objects = []
        for row in rows:
            obj = self.model.from_db(self.db, self.init_list, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    def _expand(self, params):
        counts = tuple(len(params[i]) for i in self.many)
        if not all(counts):
            raise ValueError("a many slot needs at least one value")
        sql = self.sql_for.get(counts)
        if sql is None:
            sizes = dict(zip(self.many, counts, strict=True))
            parts = [self.pieces[0]]
            for i, piece in enumerate(self.pieces[1:]):
                parts.append(", ".join(["%s"] * sizes.get(i, 1)))
                parts.append(piece)
            sql = self.sql_for[counts] = "".join(parts)
        flat = []
        for i, param in enumerate(params):
            if i in self.many:
                flat.extend(param)
            else:
                flat.append(param)
        return sql, flat


_PLACEHOLDER = re.compile(r"(?<!%)%s")


class PreparedQuery:
    """``build()`` returns the queryset, with ``Slot``s for the values that change;
    calling the prepared query with those values returns the list of objects."""

    def __init__(self, build, using="default"):
        self._build = build
        self._using = using
        self._key = f"prepared:{id(self)}"

    def __call__(self, **values):
        connection = connections[self._using]  # one per thread: so is what it holds
        compiled = connection.__dict__.setdefault("_prepared_queries", {}).get(self._key)
        if compiled is None:
            compiled = _Compiled(self._build(), connection)
            connection._prepared_queries[self._key] = compiled
        return compiled.run(connection, values)
