"""For tests of concurrent changes on PostgreSQL's real row locks."""

import time

from django.db import connection


def wait_for_a_blocked_lock(timeout: float = 10.0) -> None:
    """Return once some transaction waits for a lock; fail if none does in time."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the other change never waited for the lock")
