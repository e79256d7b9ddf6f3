"""Writing many rows at once, for imports: PostgreSQL's COPY, or bulk_create elsewhere.

Building a model instance per row and letting bulk_create turn it into SQL costs more than the
database's own work once rows number in the tens of thousands (an import of 10,000 articles writes
about 300,000). On PostgreSQL the rows go through COPY with ids taken from the table's sequence
beforehand, so callers can point other rows at them; every column the model knows is written, its
Python default where the row does not give it (a database default would not be applied by COPY
with an explicit column list either). Model ``save()``, signals and ``auto_now`` are not run: the
caller gives timestamps. Inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone
from psycopg.types.json import Jsonb


def _default(field: models.Field[Any, Any], now: Any) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    return field.get_default()


def insert_rows(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert rows (by attribute name: `article_id`, `start`...) and return their ids in order."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        made = model._default_manager.bulk_create([model(**row) for row in rows])
        return [int(obj.pk) for obj in made]
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: _default(f, now) for f in fields}
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    pk_column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk_column, len(rows)],
        )
        ids = [int(row[0]) for row in cursor.fetchall()]
        statement = f"COPY {table} ({connection.ops.quote_name(pk_column)}, {columns}) FROM STDIN"
        # The psycopg cursor under Django's: its errors are made Django's (IntegrityError...),
        # as every other statement's are, so callers can catch them.
        with connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
            for pk, row in zip(ids, rows, strict=True):
                values: list[Any] = [pk]
                for field in fields:
                    value = row.get(field.attname, defaults[field.attname])
                    if field.attname in json_fields and value is not None:
                        value = Jsonb(value)
                    values.append(value)
                copy.write_row(values)
    return ids
