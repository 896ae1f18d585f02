"""Helpers for tests that run against real services."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def wait_for(condition: Callable[[], object], *, timeout: float = 30, interval: float = 0.2):
    """Poll until condition() is truthy and return its value; fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout}s waiting for {condition}")
        time.sleep(interval)


def test_database_url() -> str:
    """A DATABASE_URL for the test database this process is using (PostgreSQL)."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    user = f"{db['USER']}{password}@" if db.get("USER") else ""
    return f"postgres://{user}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class LiveWorker:
    """A real `celery worker` process on the test database and the Redis broker."""

    def __init__(self, var_dir: Path, queues: str = "default"):
        self.var_dir = var_dir
        self.queues = queues
        self.process: subprocess.Popen | None = None
        self.log = var_dir / "worker.log"

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=test_database_url(),
            REDIS_URL=settings.REDIS_URL,
            CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
            VAR_DIR=str(self.var_dir),
            DEBUG="1",
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            CELERY_TASK_ALWAYS_EAGER="0",
        )
        return env

    def start(self) -> None:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self._log_file = self.log.open("ab")
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "careerperfect",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                f"--queues={self.queues}",
                f"--hostname=test-{os.getpid()}-{time.monotonic_ns()}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=self.environment(),
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: b"ready." in self.log.read_bytes(), timeout=60)

    def stop(self, *, kill: bool = False) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        self._log_file.close()


class _LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


# Not pages: the admin (staff-only, Django's own), files, and links with side effects.
CRAWL_SKIP = ("/admin/", "/static/", "/media/", "/healthz")


def site_crawl(client, *, start=("/",), limit: int = 400, secure: bool = False) -> dict:
    """Follow every internal link from `start` with GET; return {url: response}.

    Redirects are recorded, not followed, but their target is crawled too.
    """
    seen: dict = {}
    queue = list(start)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url, secure=secure)
        seen[url] = response
        targets = []
        if response.status_code in (301, 302, 303, 307, 308):
            targets.append(response["Location"])
        elif response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            parser = _LinkParser()
            parser.feed(response.content.decode())
            targets.extend(parser.links)
        for target in targets:
            parts = urlsplit(urljoin(url, target))
            if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path.startswith(CRAWL_SKIP) or path in seen:
                continue
            queue.append(path)
    return seen
