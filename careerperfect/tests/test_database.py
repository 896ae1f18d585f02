import time

import psycopg
import pytest
from django.db import connection

from careerperfect.database import pooled_connection_check

pytestmark = pytest.mark.postgres


def _connect() -> psycopg.Connection:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


def test_an_idle_connection_passes_and_stays_usable():
    pooled = _connect()
    try:
        pooled.execute("select 1").fetchall()
        pooled_connection_check(pooled)
        assert not pooled.closed
        assert pooled.execute("select 2").fetchone() == (2,)
    finally:
        pooled.close()


@pytest.mark.django_db
def test_a_connection_whose_backend_the_server_ended_is_closed_and_refused():
    pooled = _connect()
    with _connect() as admin:
        admin.execute("select pg_terminate_backend(%s)", (pooled.info.backend_pid,))
    deadline = time.monotonic() + 5
    while True:
        try:
            pooled_connection_check(pooled)
        except psycopg.OperationalError:
            break
        assert time.monotonic() < deadline, "the check kept a connection the server ended"
        time.sleep(0.01)
    assert pooled.closed


def test_a_closed_connection_is_refused():
    pooled = _connect()
    pooled.close()
    with pytest.raises(psycopg.OperationalError):
        pooled_connection_check(pooled)
