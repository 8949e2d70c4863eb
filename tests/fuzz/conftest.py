import pytest

from django.db import connection


class PostgreSQLWouldRefuse(Exception):
    """A query parameter PostgreSQL refuses, seen while the tests run on SQLite."""


def refuse_what_postgresql_refuses(execute, sql, params, many, context):
    rows = params if many else [params]
    for row in rows or ():
        values = row.values() if isinstance(row, dict) else row or ()
        for value in values:
            if isinstance(value, str) and "\x00" in value:
                raise PostgreSQLWouldRefuse(f"NUL in a query parameter: {sql[:200]}")
    return execute(sql, params, many, context)


@pytest.fixture(autouse=True)
def postgresql_text_rules():
    """SQLite stores NUL characters that PostgreSQL, in production, refuses
    with an error: fail any query that sends one, so the fuzz tests catch on
    SQLite what would be a server error on the city's servers."""
    if connection.vendor == "postgresql":
        yield
        return
    with connection.execute_wrapper(refuse_what_postgresql_refuses):
        yield
