import os
import resource
import socket
import time
from types import SimpleNamespace

import psycopg
import pytest
from django.db import connection
from psycopg.pq import ConnStatus

from careerperfect.database import pooled_connection_check


def _connect() -> psycopg.Connection:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


@pytest.mark.postgres
def test_an_idle_connection_passes_and_stays_usable():
    pooled = _connect()
    try:
        pooled.execute("select 1").fetchall()
        pooled_connection_check(pooled)
        assert not pooled.closed
        assert pooled.execute("select 2").fetchone() == (2,)
    finally:
        pooled.close()


@pytest.mark.postgres
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


@pytest.mark.postgres
def test_a_closed_connection_is_refused():
    pooled = _connect()
    pooled.close()
    with pytest.raises(psycopg.OperationalError):
        pooled_connection_check(pooled)


def test_an_idle_connection_on_a_high_file_descriptor_passes():
    # A busy process (many client sockets, files) may have more than select()'s 1,024
    # descriptors open: every connection of the pool would then fail its check.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard <= 1500:
        pytest.skip("this process may not open descriptors past 1,500")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1501), hard))
    ours, servers = socket.socketpair()
    high = os.dup2(ours.fileno(), 1500)
    pooled = SimpleNamespace(
        pgconn=SimpleNamespace(status=ConnStatus.OK, socket=high), close=lambda: None
    )
    try:
        pooled_connection_check(pooled)
        servers.send(b"E")  # What a server sends as it ends a backend.
        with pytest.raises(psycopg.OperationalError):
            pooled_connection_check(pooled)
    finally:
        os.close(high)
        ours.close()
        servers.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
