"""Insert many model instances with one prepared statement (executemany).

Django's bulk_create compiles SQL per value and, on SQLite, splits a batch into statements of
999 parameters; for 10^5 rows of 20–30 columns that costs more than the rest of an import. Here
each value goes through the field's own pre_save and get_db_prep_save (defaults, auto_now,
JSON, time zones as the ORM does), and the database driver runs one statement for the batch.
Like bulk_create it sends no signals. Primary keys are not set: callers look rows up by a
unique key when they need them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router


def insert_many(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    if not objs:
        return
    using = router.db_for_write(model)
    connection = connections[using]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    params = [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def update_many(model: type[models.Model], objs: Sequence[models.Model], names: Sequence[str]) -> None:
    """UPDATE the named fields of each object by primary key, one prepared statement per batch.

    bulk_update builds one CASE WHEN per field over the whole batch, which is quadratic in
    practice on SQLite (100,000 changed rows took over two minutes); this is linear.
    """
    if not objs or not names:
        return
    using = router.db_for_write(model)
    connection = connections[using]
    fields = [_concrete_field(model, name) for name in names]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(model._meta.db_table), ", ".join(f"{quote(f.column)} = %s" for f in fields), quote(model._meta.pk.column)
    )
    rows = [[*(f.get_db_prep_save(f.pre_save(obj, False), connection) for f in fields), obj.pk] for obj in objs]
    if connection.vendor == "postgresql":
        _update_from_values(connection, model, fields, rows)
        return
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _concrete_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """The field with a column called `name` (get_field also answers reverse relations, which have none)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{model.__name__}.{name} has no column to update")
    return field


def _update_from_values(connection: Any, model: type[models.Model], fields: list[Any], rows: list[list[Any]]) -> None:
    """PostgreSQL: one UPDATE … FROM (VALUES …) per chunk — a round trip per row costs more than the row."""
    quote = connection.ops.quote_name
    pk = model._meta.pk
    columns = [*fields, pk]
    casts = ", ".join(f"%s::{f.db_type(connection) if f is not pk else 'bigint'}" for f in columns)
    names = [f"c{i}" for i in range(len(columns))]
    # names has one more entry than fields (the pk's), which is not assigned
    assignments = ", ".join(f"{quote(f.column)} = v.{name}" for f, name in zip(fields, names, strict=False))
    per_chunk = max(1, 30_000 // len(columns))  # PostgreSQL takes at most 65,535 parameters
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_chunk):
            chunk = rows[start:start + per_chunk]
            values = ", ".join([f"({casts})"] * len(chunk))
            sql = "UPDATE {table} AS t SET {assignments} FROM (VALUES {values}) AS v({names}) WHERE t.{pk} = v.{last}".format(
                table=quote(model._meta.db_table), assignments=assignments, values=values, names=", ".join(names),
                pk=quote(pk.column), last=names[-1],
            )
            cursor.execute(sql, [value for row in chunk for value in row])
