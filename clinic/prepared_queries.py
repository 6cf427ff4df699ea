"""Querysets compiled to SQL once per process, then run again with new values.

Building and compiling a queryset costs Django far more than running its SQL:
loading a guide's page (a guide, its sections and points, seven stretches,
their steps and keywords) took about 4 ms through `prefetch_related`, of
which the queries themselves took 0.15 ms. A prepared query pays the
building once; each run binds the new value, runs the SQL and builds the
model instances through the same converters and `Model.from_db` that the
ORM uses, so they are the same instances a queryset would give.

    steps_of_guide = PreparedQuery(
        lambda guide_id: Step.objects.filter(stretch__guide_links__guide_id=guide_id)
    )
    steps = by_parent(steps_of_guide(guide.pk), "stretch", stretches)
    for stretch in stretches:
        leave_loaded(stretch, "steps", steps[stretch.pk])  # stretch.steps.all(): no query

The queryset is built once, with a stand-in for each value `build` takes,
which must reach the SQL as a parameter (an exact lookup on a number or text
field does); each run puts the real values in their places. Anything else
`build` computes, such as the time, is fixed at that first build: make it a
value. Only plain model querysets are prepared: no `select_related`,
annotations or `values()`, whose rows need more than `from_db`.
Where `from_db` would only store each column's value on a new instance (the
model overrides neither it nor `__init__`, no `pre_init` or `post_init`
receiver listens, every field stores what it is given), the instance is
built directly, in a third of the time: a guide's page builds 84.
`by_parent`, `know_parents` and `leave_loaded` then put the rows where
`prefetch_related` would have.
"""

import dataclasses
import inspect

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.base import ModelState
from django.db.models.fields.files import FileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.signals import post_init, pre_init

# Nobody's primary keys: the stand-in values a query is compiled with.
STAND_INS = range(-918_273_645, -918_273_645 - 10, -1)


class PreparedQuery:
    def __init__(self, build):
        self.build = build
        self._model = None
        self._compiled = {}

    def __call__(self, *values):
        """The model instances the queryset gives for `values`."""
        alias = self._model and router.db_for_read(self._model)
        compiled = self._compiled.get(alias) or self._compile()
        connection = connections[compiled.alias]
        params = list(compiled.params)
        for position, value_number in compiled.value_positions:
            params[position] = values[value_number]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        alias, model, field_names = compiled.alias, compiled.model, compiled.field_names
        converters = compiled.converters
        if converters:
            rows = [_converted(row, converters, connection) for row in rows]
        if compiled.stores_plainly and not (
            pre_init.has_listeners(model) or post_init.has_listeners(model)
        ):
            return [_stored(model, alias, field_names, row) for row in rows]
        return [model.from_db(alias, field_names, row) for row in rows]

    def _compile(self):
        stand_ins = STAND_INS[: len(inspect.signature(self.build).parameters)]
        queryset = self.build(*stand_ins)
        self._model = queryset.model
        alias = router.db_for_read(queryset.model)
        query = queryset.query
        if query.select_related or query.annotations or not query.default_cols:
            raise ImproperlyConfigured(
                "A prepared query gives whole model instances: no select_related, "
                "annotations or values()."
            )
        compiler = query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        # A text field's lookup gets the stand-in as text.
        numbers = {
            value: n for n, stand_in in enumerate(stand_ins) for value in (stand_in, str(stand_in))
        }
        value_positions = [
            (position, numbers[param])
            for position, param in enumerate(params)
            if isinstance(param, int | str) and param in numbers
        ]
        if {number for _, number in value_positions} != set(range(len(stand_ins))):
            raise ImproperlyConfigured(
                f"A value of a prepared query on {queryset.model.__name__} does not "
                "reach its SQL as a parameter."
            )
        columns = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
        field_names = [column.target.attname for column in columns]
        compiled = _Compiled(
            alias=alias,
            sql=sql,
            params=tuple(params),
            value_positions=value_positions,
            model=queryset.model,
            field_names=field_names,
            converters=list(compiler.get_converters(columns).items()),
            stores_plainly=_stores_plainly(queryset.model, field_names),
        )
        self._compiled[alias] = compiled
        return compiled


def _converted(row, converters, connection):
    row = list(row)
    for position, (functions, expression) in converters:
        value_read = row[position]
        for convert in functions:
            value_read = convert(value_read, expression, connection)
        row[position] = value_read
    return row


# Descriptors whose __set__ only stores the value on an instance being built.
_PLAIN_SETTERS = (ForeignKeyDeferredAttribute, FileDescriptor)


def _stores_plainly(model, field_names):
    """True when `model.from_db(db, field_names, row)` would only store each
    value under its field's name (signals aside, checked on each run)."""
    return (
        model.__init__ is Model.__init__
        and model.from_db.__func__ is Model.from_db.__func__
        and field_names == [field.attname for field in model._meta.concrete_fields]
        and all(
            not hasattr(descriptor := getattr(model, name, None), "__set__")
            or isinstance(descriptor, _PLAIN_SETTERS)
            for name in field_names
        )
    )


def _stored(model, alias, field_names, row):
    """The instance `model.from_db(alias, field_names, row)` gives."""
    instance = model.__new__(model)
    state = ModelState()
    state.adding = False
    state.db = alias
    instance.__dict__.update(zip(field_names, row, strict=True), _state=state)
    return instance


# What prefetch_related leaves on instances, for rows a prepared query loaded.


def by_parent(children, field_name, parents):
    """`children` listed by their parent's primary key, in the order they
    came, each knowing its parent, as `know_parents` leaves them."""
    by_parent = {parent.pk: [] for parent in parents}
    for child in know_parents(children, field_name, {p.pk: p for p in parents}):
        by_parent[getattr(child, f"{field_name}_id")].append(child)
    return by_parent


def know_parents(children, field_name, parents_by_pk):
    """The children whose parent (foreign key `field_name`) is in
    `parents_by_pk`, each with it cached: `child.<field_name>` needs no query.

    Each query reads the database as it is when it runs, so a parent saved
    between two of them may be missing: its children are left out, and the
    page shows what the parents' query found."""
    if not children:
        return children
    field = children[0]._meta.get_field(field_name)
    known = []
    for child in children:
        parent = parents_by_pk.get(getattr(child, field.attname))
        if parent is not None:
            field.set_cached_value(child, parent)
            known.append(child)
    return known


def leave_loaded(instance, relation, rows):
    """What `prefetch_related` leaves: `instance.<relation>.all()` gives `rows`
    without a query."""
    descriptor = getattr(type(instance), relation)
    # A reverse foreign key or many-to-many lists the model holding the
    # field; a many-to-many field its target.
    if getattr(descriptor, "reverse", True):
        model = descriptor.rel.related_model
    else:
        model = descriptor.rel.model
    loaded = _LoadedRows(model=model)
    loaded._result_cache = rows
    loaded._prefetch_done = True
    loaded._owner = (instance, relation)
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[relation] = loaded


class _LoadedRows(QuerySet):
    """Rows already loaded. A query built on them (`.filter()`, `.first()`)
    starts from the relation's own query, as after `prefetch_related`, not
    from every row of the table."""

    def _chain(self):
        instance, relation = self._owner
        related = getattr(instance, relation)
        return related._apply_rel_filters(QuerySet(model=self.model, using=self.db))._chain()


@dataclasses.dataclass(frozen=True, slots=True)
class _Compiled:
    alias: str
    sql: str
    params: tuple
    # (position in `params`, which value goes there)
    value_positions: list
    model: type
    field_names: list
    # (column's position, (converter functions, its expression)), as Django's compiler has them.
    converters: list
    stores_plainly: bool
