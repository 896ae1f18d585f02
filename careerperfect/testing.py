"""Helpers for tests that run against real services."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
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

    def __init__(self, var_dir: Path, queues: str | None = None, env: dict | None = None):
        self.var_dir = var_dir
        # Every configured queue unless the test names some.
        self.queues = queues or ",".join(queue.name for queue in settings.CELERY_TASK_QUEUES)
        self.extra_env = env or {}
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
        env.update(self.extra_env)
        return env

    def start(self) -> None:
        """Start the worker (again, after stop()) and wait until it is ready."""
        self.var_dir.mkdir(parents=True, exist_ok=True)
        log_start = self.log.stat().st_size if self.log.exists() else 0
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
        wait_for(lambda: b"ready." in self.log.read_bytes()[log_start:], timeout=60)

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
        if response.streaming:
            # A download: read to the end, which closes its file.
            response.body = b"".join(response.streaming_content)
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


POSTGRES_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)


class IsolatedRedis:
    """A Redis server of the test's own, so that stopping it disturbs nobody else."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        self.directory.mkdir(parents=True, exist_ok=True)
        subprocess.run(  # noqa: S603
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
                "--daemonize",
                "yes",
                "--pidfile",
                str(self.directory / "redis.pid"),
            ],
            check=True,
        )
        wait_for(lambda: _ping(redis.Redis.from_url(self.url)), timeout=10)

    def stop(self) -> None:
        import redis

        with contextlib.suppress(redis.ConnectionError):
            redis.Redis.from_url(self.url).shutdown(nosave=True)


def _ping(client) -> bool:
    try:
        return client.ping()
    except Exception:
        return False


class IsolatedPostgres:
    """A PostgreSQL cluster of the test's own (run as the postgres user)."""

    def __init__(self):
        # Its own directory outside pytest's (which only root may enter).
        self.directory = Path(tempfile.mkdtemp(prefix="careerperfect-postgres-"))
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/careerperfect"

    def _as_postgres(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        result = subprocess.run([*prefix, *command], capture_output=True, text=True)  # noqa: S603
        if result.returncode:
            raise AssertionError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        data = str(self.directory / "data")
        self._as_postgres(str(POSTGRES_BIN / "initdb"), "-D", data, "-A", "trust", "-U", "postgres")
        self.pg_ctl("start", "-w", "-o", f"-p {self.port} -k {self.directory} -h 127.0.0.1")
        self._as_postgres(
            str(POSTGRES_BIN / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "careerperfect",
        )

    def pg_ctl(self, action: str, *args: str) -> None:
        self._as_postgres(
            str(POSTGRES_BIN / "pg_ctl"),
            action,
            "-D",
            str(self.directory / "data"),
            "-l",
            str(self.directory / "postgres.log"),
            *args,
        )

    def stop(self) -> None:
        with contextlib.suppress(AssertionError):
            self.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


def production_environment(var_dir: Path, **overrides: str) -> dict[str, str]:
    """Environment of a production-like process (DEBUG off, real secret) on loopback."""
    import secrets

    env = dict(os.environ)
    for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", "REQUIRE_SERVICES"):
        env.pop(name, None)
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        VAR_DIR=str(var_dir),
        LOG_LEVEL="WARNING",
    )
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


class Gunicorn:
    """The site served by gunicorn, as in production."""

    def __init__(self, env: dict[str, str], workers: int = 2):
        self.env = env
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        import urllib.request

        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "careerperfect.wsgi",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={self.workers}",
                "--log-level=warning",
                # Several servers may run at once: none takes the shared control socket.
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=self.env,
        )

        def answers():
            try:
                return urllib.request.urlopen(self.url + "/healthz", timeout=2).status  # noqa: S310
            except OSError as error:
                return getattr(error, "code", None)

        wait_for(answers, timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
