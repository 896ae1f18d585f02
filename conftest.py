"""Test set-up shared by every app.

Tests that need a real service are marked and skipped, with the reason printed
(`-ra`), when the service is not configured:

    postgres     DATABASE_URL points at PostgreSQL
    redis        REDIS_URL is set
    live_worker  REDIS_URL is set (the test starts a real Celery worker)
    imap         TEST_IMAP_URL is set
    browser      Chromium is installed (CHROMIUM_PATH, default /usr/bin/chromium)
    a11y_tools   axe-core and the Nu HTML checker (npm ci --prefix tools/a11y) and Java
    faults       RUN_FAULT_TESTS=1 (they start and stop their own PostgreSQL and Redis)

REQUIRE_SERVICES=postgres,redis,… turns those skips into failures (CI sets it).

`make test` runs the suite in parallel (pytest-xdist), except the tests marked
`serial`, which it runs alone afterwards: those sharing a service's state with other
tests. A test with a live worker, the IMAP mailbox or the fault tests' servers is
marked serial here; one that looks at the broker's queues is marked by hand.
"""

import os
import shutil
import uuid
from pathlib import Path

import pytest

from careerperfect.celery import app as celery_app

# Tasks run in-process during tests unless a test asks for the live worker.
celery_app.conf.task_always_eager = True

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
A11Y_TOOLS = Path(__file__).resolve().parent / "tools" / "a11y"


def _service_missing(marker: str) -> str | None:
    from django.conf import settings
    from django.db import connection

    if marker == "postgres" and connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://…"
    if marker in {"redis", "live_worker"} and not settings.REDIS_URL:
        return f"{marker}: needs Redis: set REDIS_URL=redis://…"
    if marker == "imap" and not os.environ.get("TEST_IMAP_URL"):
        return "needs an IMAP server: set TEST_IMAP_URL=imap://user:pass@host:port/INBOX"
    if marker == "browser" and not Path(CHROMIUM_PATH).exists():
        return f"needs Chromium at {CHROMIUM_PATH} (apt install chromium)"
    if marker == "faults":
        from careerperfect.testing import POSTGRES_BIN

        if not os.environ.get("RUN_FAULT_TESTS"):
            return "fault tests start their own PostgreSQL and Redis: set RUN_FAULT_TESTS=1"
        if POSTGRES_BIN is None or not shutil.which("redis-server"):
            return "fault tests need PostgreSQL's and Redis's server programs installed"
    if marker == "a11y_tools":
        if not A11Y_TOOLS.joinpath("node_modules", "axe-core", "axe.min.js").exists():
            return "needs axe-core and vnu-jar: npm ci --prefix tools/a11y"
        if not shutil.which("java"):
            return "needs Java for the Nu HTML checker (apt install default-jre-headless)"
    return None


SERIAL_MARKERS = ("live_worker", "imap", "faults")


def _transactional_without_serialized_rollback(item) -> bool:
    marker = item.get_closest_marker("django_db")
    kwargs = marker.kwargs if marker else {}
    transactional = kwargs.get("transaction") or {"transactional_db", "live_server"} & set(
        item.fixturenames
    )
    serialized = kwargs.get("serialized_rollback") or (
        "django_db_serialized_rollback" in item.fixturenames
    )
    return bool(transactional) and not serialized


def pytest_collection_modifyitems(items):
    # A transactional test empties the database after it. Without serialized rollback
    # it then recreates content types under new ids, and the next test with serialized
    # rollback in that process fails to restore the old ones: which test comes next
    # depends on how the parallel run shares the tests out.
    if wrong := [item.nodeid for item in items if _transactional_without_serialized_rollback(item)]:
        raise pytest.UsageError(
            "Transactional tests need serialized_rollback=True: " + ", ".join(wrong)
        )
    for item in items:
        if "live_worker" in item.fixturenames or any(
            item.get_closest_marker(marker) for marker in SERIAL_MARKERS
        ):
            item.add_marker(pytest.mark.serial)


def pytest_runtest_setup(item):
    # CI lists the services it provides in REQUIRE_SERVICES: a test needing one of
    # them then fails instead of being skipped.
    required = set(filter(None, os.environ.get("REQUIRE_SERVICES", "").split(",")))
    markers = ("postgres", "redis", "live_worker", "imap", "browser", "a11y_tools", "faults")
    for marker in markers:
        if item.get_closest_marker(marker):
            reason = _service_missing(marker)
            if reason and marker in required:
                pytest.fail(f"REQUIRE_SERVICES includes {marker}, but: {reason}")
            if reason:
                pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    # A fast hasher, and a cache of its own per test (rate limits, counters).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Usage counts go straight to the shared buffer, where the tests look for them.
    settings.ANALYTICS_PUSH_SECONDS = 0
    caches = {name: dict(config) for name, config in settings.CACHES.items()}
    for name, config in caches.items():
        config["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
        if config["BACKEND"].endswith("FileBasedCache"):
            config["LOCATION"] = str(tmp_path / f"cache-{name}")
    settings.CACHES = caches


@pytest.fixture(autouse=True)
def _private_files_in_tmp(settings, tmp_path):
    # "Download my data" ZIPs, resumes and software builds are real files: each test
    # keeps its own.
    storages = {name: dict(config) for name, config in settings.STORAGES.items()}
    for name, folder in (("data_exports", "data-exports"), ("private", "private")):
        storages[name]["OPTIONS"] = {
            **storages[name]["OPTIONS"],
            "location": str(tmp_path / folder),
        }
    settings.STORAGES = storages


@pytest.fixture
def live_worker(request, tmp_path, transactional_db, django_db_serialized_rollback, settings):
    """A real Celery worker consuming from Redis, on this test's database.

    Tasks queued during the test go to the broker instead of running in-process.
    The database is restored afterwards with the rows migrations made (groups,
    policy versions), which the flush after a transactional test removes. The
    marker may choose queues and extra environment for the worker:
    @pytest.mark.live_worker(queues="optouts", env={"IMAP_URL": ...}).
    """
    from careerperfect.testing import LiveWorker

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("live_worker: needs PostgreSQL so that the worker shares the test database")
    marker = request.node.get_closest_marker("live_worker")
    worker = LiveWorker(tmp_path / "worker", **(marker.kwargs if marker else {}))
    celery_app.conf.task_always_eager = False
    try:
        worker.start()
        yield worker
    finally:
        worker.stop()
        celery_app.conf.task_always_eager = True


@pytest.fixture
def chromium(live_server, django_db_serialized_rollback, monkeypatch):
    """Debian's Chromium driven by Playwright (no browser download needed).

    Live-server tests are transactional; serialized rollback restores the rows
    migrations made (groups, policy versions) for the tests after them.
    """
    # Playwright's sync API runs an event loop in this thread, which Django's ORM would
    # otherwise refuse to be called from.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield browser
        finally:
            # Queries the test made while Playwright's loop ran used a connection of
            # their own; close it, or the test database cannot be dropped.
            connections.close_all()
            browser.close()


@pytest.fixture
def page(chromium):
    """A Playwright page against `live_server`."""
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()
