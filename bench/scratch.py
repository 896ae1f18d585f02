"""Shared set-up for the benchmarks: Django on a scratch database of their own.

The scratch database is created next to the configured one (test_<name>, as the test
runner does), migrated, and dropped afterwards: a benchmark never writes to real data.
"""

import os
import resource
import secrets
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careerperfect.settings")
    # Measured as production runs: without DEBUG's query log and template debugging.
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    import django

    django.setup()
    from careerperfect.celery import app

    # Tasks are only queued, into memory: a benchmark measures our side, not a broker.
    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"


@contextmanager
def scratch_database():
    from django.db import connection

    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield name
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak_rss_reset() -> bool:
    """Reset the kernel's peak-RSS mark for this process (Linux); False if impossible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def vendor() -> str:
    from django.db import connection

    return connection.vendor
