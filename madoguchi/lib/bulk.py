"""Bulk writes that skip building a Django object per row: history rows, many-to-many links.

History rows are copied by the database itself.

django-simple-history writes a history row on each save(); bulk_create and bulk_update skip
save(), and simple_history's own bulk helpers build a second Python object per row and a
second INSERT of every value, which doubled an import's time. Here the database copies the
rows just written into the history table with one INSERT ... SELECT per batch: the history
row is by construction the row as stored, whatever the backend.

Many-to-many links are plain (left id, right id) pairs: one executemany, not one through-model
object per pair.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def copy_to_history(model: type[models.Model], ids: Sequence[int], history_type: str, when: dt.datetime) -> None:
    """Add a history row ("+" created, "~" changed) for each of `ids`, dated `when`, no user."""
    if not ids:
        return
    history = model.history.model  # type: ignore[attr-defined]  # simple_history's manager, added at class creation
    q = connection.ops.quote_name
    tracked = [f.attname for f in history.tracked_fields]
    source = {f.attname: f.column for f in model._meta.concrete_fields}
    target = {f.attname: f.column for f in history._meta.concrete_fields}
    columns = [q(target[a]) for a in tracked] + [q("history_date"), q("history_type"), q("history_change_reason"),
                                                  q("history_user_id")]
    selected = [q(source[a]) for a in tracked] + ["%s", "%s", "NULL", "NULL"]
    sql = (f"INSERT INTO {q(history._meta.db_table)} ({', '.join(columns)}) "
           f"SELECT {', '.join(selected)} FROM {q(model._meta.db_table)} "
           f"WHERE {q(model._meta.pk.column)} IN ({', '.join(['%s'] * len(ids))})")
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(when), history_type, *ids])


def insert_links(relation: models.ManyToManyField, pairs: Sequence[tuple[int, int]]) -> None:
    """Insert (source pk, target pk) rows into the auto-created link table of `relation`
    (e.g. Listing.fields.field); the caller has removed the rows it replaces."""
    if not pairs:
        return
    through = relation.remote_field.through
    assert through is not None  # set for every many-to-many once the app registry is ready
    q = connection.ops.quote_name
    source = q(relation.m2m_column_name())
    target = q(relation.m2m_reverse_name())
    sql = f"INSERT INTO {q(through._meta.db_table)} ({source}, {target}) VALUES (%s, %s)"
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(pairs))


def _column(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{model.__name__}.{name} is not a column")  # a reverse relation or a generic key
    return field


def update_rows(objs: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Write `fields` of each object with one UPDATE ... WHERE pk = %s run by executemany.

    Django's bulk_update writes one CASE WHEN per column over the whole batch, whose cost grew
    with the batch squared (a 20,000-row re-import ran at ~100 rows/s); the values here are
    prepared by each field exactly as save() prepares them."""
    if not objs:
        return
    model = type(objs[0])
    q = connection.ops.quote_name
    columns = [_column(model, name) for name in fields]
    pk = model._meta.pk
    sql = (f"UPDATE {q(model._meta.db_table)} SET {', '.join(f'{q(c.column)} = %s' for c in columns)} "
           f"WHERE {q(pk.column)} = %s")
    params = [[c.get_db_prep_save(getattr(o, c.attname), connection) for c in columns] + [o.pk] for o in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
