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
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(model._meta.db_table), ", ".join(f"{quote(f.column)} = %s" for f in fields), quote(model._meta.pk.column)
    )
    params = [[*(f.get_db_prep_save(f.pre_save(obj, False), connection) for f in fields), obj.pk] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
