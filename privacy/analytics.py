"""Anonymous, aggregate usage counts (P1, P2).

Each request adds one to a counter named only by day, kind (a page visit or a use of
a service), site (main site or a partner's co-branded site) and the area or service.
Nothing about the visitor goes into the counter: no user, address, browser, session
or cookie. Counters live in the "analytics" cache, shared by the web and worker
processes, and a beat task moves them into DailyCount rows: a request never writes to
the database. A web process adds its counts to that cache every few seconds rather than
on every request, so that counting costs a request no round trip to Redis.
"""

import atexit
import fcntl
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache
from django.shortcuts import resolve_url
from django.urls import URLResolver, get_resolver

from privacy.models import DailyCount

logger = logging.getLogger(__name__)

BUFFER_ALIAS = "analytics"
# Counters not flushed within this many days are dropped: beat runs every few minutes.
BUFFER_DAYS = 8
_BUFFER_SECONDS = (BUFFER_DAYS + 1) * 24 * 3600
_FLUSH_LOCK = "flush-lock"
_FLUSH_LOCK_SECONDS = 300
# The counts a flush has taken out of the counters and not yet seen committed to the
# database, with the batch id that commit records: {"batch", "counts", "taken"}. It
# never expires: the next flush resolves it (privacy.services.analytics_flush).
_PENDING = "flush-pending"

# Site areas are URL namespaces (each app's app_name), so an app added later is its
# own area without any change here. Pages outside a namespace are named here.
AREA_BY_URL_NAME = {"home": "home", "contact": "contact"}
ACCOUNT_AREA = "accounts"  # allauth's sign-in and sign-up pages have no namespace
OTHER_AREA = "other"
UNCOUNTED_NAMESPACES = {"admin"}
UNCOUNTED_URL_NAMES = {"healthz"}

# A use of a service is a successful submission (answered by a redirect, after
# post/redirect/get) to one of these views, by view name. Apps add their own.
SERVICES = {
    "account_signup": "sign-up",
    "account_login": "sign-in",
    "accounts:privacy": "privacy-choices",
    "privacy:cookie_choices": "cookie-choices",
}


def area_of(match) -> str | None:
    """The site area a resolved URL belongs to; None for pages that are not counted."""
    if match is None or match.url_name in UNCOUNTED_URL_NAMES:
        return None
    if match.namespaces:
        namespace = match.namespaces[0]
        return None if namespace in UNCOUNTED_NAMESPACES else namespace
    if match.url_name in AREA_BY_URL_NAME:
        return AREA_BY_URL_NAME[match.url_name]
    if getattr(match.func, "__module__", "").startswith("allauth."):
        return ACCOUNT_AREA
    return OTHER_AREA


def usage_of(request, response) -> tuple[str, str] | None:
    """What a finished request counts as: (kind, area or service), or nothing."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    if request.method == "POST" and 300 <= response.status_code < 400:
        service = SERVICES.get(match.view_name)
        # A form sent once its session had ended is answered by the sign-in page:
        # nothing was done yet.
        if service is None or _sends_to_sign_in(response):
            return None
        return (DailyCount.Kind.USE, service)
    if (
        request.method == "GET"
        and response.status_code == 200
        and response.get("Content-Type", "").startswith("text/html")
    ):
        area = area_of(match)
        return (DailyCount.Kind.VISIT, area) if area else None
    return None


def _sends_to_sign_in(response) -> bool:
    return urlsplit(response.get("Location", "")).path == resolve_url(settings.LOGIN_URL)


def known_names() -> set[tuple[str, str]]:
    """Every (kind, name) a counter can have: where the flush looks for counters."""
    namespaces: set[str] = set()

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace:
                    namespaces.add(pattern.namespace)
                walk(pattern.url_patterns)

    walk(get_resolver().url_patterns)
    areas = (namespaces - UNCOUNTED_NAMESPACES) | set(AREA_BY_URL_NAME.values())
    areas |= {ACCOUNT_AREA, OTHER_AREA}
    return {(DailyCount.Kind.VISIT, area) for area in areas} | {
        (DailyCount.Kind.USE, service) for service in SERVICES.values()
    }


def buffer_key(day: date, kind: str, site: str, name: str) -> str:
    return f"{day:%Y%m%d}:{kind}:{site}:{name}"


def buffer_key_parse(key: str) -> tuple[date, str, str, str]:
    """What a counter counts, from its key: (day, kind, site, name)."""
    day, kind, site, name = key.split(":", 3)
    return date(int(day[:4]), int(day[4:6]), int(day[6:])), kind, site, name


def buffer_keys(*, today: date, sites: list[str]) -> dict[str, tuple[date, str, str, str]]:
    """Every counter that may hold counts not yet flushed, with what it counts."""
    names = known_names()
    return {
        buffer_key(day, kind, site, name): (day, kind, site, name)
        for offset in range(BUFFER_DAYS)
        for day in [today - timedelta(days=offset)]
        for site in sites
        for kind, name in names
    }


_thread_lock = threading.Lock()


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _exclusive(cache):
    """Makes read-modify-write on the buffer safe where the backend is not atomic.

    Redis increments atomically. Django's file cache reads then writes, so processes
    sharing it (web server and worker in the embedded default) take a file lock.
    """
    if isinstance(cache, RedisCache):
        return nullcontext()
    if isinstance(cache, FileBasedCache):
        return _file_lock(Path(cache._dir) / "buffer.lock")
    return _thread_lock


def buffer_add(key: str, amount: int = 1) -> None:
    buffer_add_many({key: amount})


def buffer_add_many(counts: dict[str, int]) -> None:
    cache = caches[BUFFER_ALIAS]
    if isinstance(cache, RedisCache):
        # One round trip: create each counter with its lifetime unless it exists, then
        # add. (Django's incr() would first ask whether the key exists, key by key.)
        # MULTI/EXEC: the whole batch counts, or none of it does.
        keys = {key: cache.make_and_validate_key(key) for key in counts}
        client = cache._cache.get_client(write=True)
        with client.pipeline(transaction=True) as pipe:
            for key, amount in counts.items():
                pipe.set(keys[key], 0, ex=_BUFFER_SECONDS, nx=True)
                pipe.incrby(keys[key], amount)
            pipe.execute()
        return
    with _exclusive(cache):
        _take_finish(cache)
        for key, amount in counts.items():
            _counter_add(cache, key, amount)


def _counter_add(cache, key: str, amount: int) -> None:
    """Add to one counter (or take from it), under _exclusive(cache).

    Not cache.incr() where it is not Redis's own: Django's generic incr() writes the
    counter back with the cache's default lifetime of five minutes, and the file
    buffer then lost every count that beat's flush had not reached by then.
    """
    if isinstance(cache, RedisCache):
        cache.incr(key, amount)  # Atomic, and the counter keeps its lifetime.
        return
    cache.set(key, cache.get(key, 0) + amount, timeout=_BUFFER_SECONDS)


class _ProcessCounts:
    """Counts this process has made and not yet added to the shared buffer.

    They are added by the first request after ANALYTICS_PUSH_SECONDS have passed, and
    when the process exits; a push that fails keeps them for the next. A process killed
    outright loses what it had not pushed: counts are aggregate statistics, and this
    is what keeps Redis out of every request.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._pushed_at = time.monotonic()

    def add(self, key: str) -> None:
        with self._lock:
            self._counts[key] += 1
            due = time.monotonic() - self._pushed_at >= settings.ANALYTICS_PUSH_SECONDS
        if due:
            self.push()

    def push(self) -> None:
        with self._lock:
            counts, self._counts = self._counts, Counter()
            self._pushed_at = time.monotonic()
        if not counts:
            return
        try:
            buffer_add_many(dict(counts))
        except Exception:
            logger.exception("Analytics: counts kept in the process until the next push")
            with self._lock:
                self._counts.update(counts)


_process_counts = _ProcessCounts()
atexit.register(_process_counts.push)


def usage_count(key: str) -> None:
    """Count one visit or use under this key (see buffer_key)."""
    _process_counts.add(key)


def usage_counts_push() -> None:
    """Add this process's pending counts to the shared buffer now."""
    _process_counts.push()


# Redis takes the counts and records them as the pending batch in one script, which
# Redis runs whole or not at all. Nothing is taken while another batch is pending.
# KEYS: the pending batch, then the counters; ARGV: the batch id, then the counters'
# keys as the flush names them.
_TAKE_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local counts, found = {}, false
for i = 2, #KEYS do
  local value = tonumber(redis.call('GET', KEYS[i]))
  if value and value > 0 then
    redis.call('DECRBY', KEYS[i], value)
    counts[ARGV[i]] = value
    found = true
  end
end
if not found then return false end
local record = cjson.encode({batch = ARGV[1], counts = counts, taken = true})
redis.call('SET', KEYS[1], record)
return record
"""
_DROP_SCRIPT = """
local record = redis.call('GET', KEYS[1])
if record and cjson.decode(record).batch == ARGV[1] then redis.call('DEL', KEYS[1]) end
"""


def _redis(cache):
    return cache._cache.get_client(write=True)


def buffer_take(keys: list[str], *, batch: str) -> dict[str, int]:
    """Take the counts held under these keys (those above zero) out of the counters;
    they stay in the buffer as the pending batch `batch` until buffer_pending_drop.

    Takes nothing while a batch is pending: resolve it first (buffer_pending).
    """
    cache = caches[BUFFER_ALIAS]
    if isinstance(cache, RedisCache):
        names = [cache.make_and_validate_key(key) for key in [_PENDING, *keys]]
        record = _redis(cache).eval(_TAKE_SCRIPT, len(names), *names, batch, *keys)
        return json.loads(record)["counts"] if record else {}
    with _exclusive(cache):
        _take_finish(cache)
        if cache.get(_PENDING) is not None:
            return {}
        found = {key: value for key, value in cache.get_many(keys).items() if value}
        if not found:
            return {}
        # The file cache writes one key at a time: the batch is recorded before its
        # counts are taken and marked taken after, so that a take cut short by a kill
        # is finished by whoever next holds the lock (_take_finish).
        record = {"batch": batch, "counts": found, "taken": False}
        cache.set(_PENDING, record, timeout=None)
        for key, value in found.items():
            # A decrement, not a delete: a request counted since the read is kept.
            _counter_add(cache, key, -value)
        cache.set(_PENDING, {**record, "taken": True}, timeout=None)
    return found


def _take_finish(cache) -> None:
    """Finish taking a pending batch whose take was cut short (file buffer; call under
    _exclusive(cache), before writing any counter)."""
    record = cache.get(_PENDING)
    if record is None or record["taken"]:
        return
    for key, value in record["counts"].items():
        # Nothing is added to a counter while a take is unfinished, since every writer
        # comes here first: each still holds what was read (not yet taken) or nothing.
        if cache.get(key, 0) >= value:
            _counter_add(cache, key, -value)
    cache.set(_PENDING, {**record, "taken": True}, timeout=None)


def buffer_pending() -> tuple[str, dict[str, int]] | None:
    """The batch a flush took and did not drop, as (batch id, counts); None if none."""
    cache = caches[BUFFER_ALIAS]
    if isinstance(cache, RedisCache):
        raw = _redis(cache).get(cache.make_and_validate_key(_PENDING))
        record = json.loads(raw) if raw else None
    else:
        with _exclusive(cache):
            _take_finish(cache)
            record = cache.get(_PENDING)
    return (record["batch"], record["counts"]) if record else None


def buffer_pending_drop(batch: str) -> None:
    """Forget the pending batch once its counts are in the database, unless another
    batch has taken its place (a flush that outlasted its lock may come here late)."""
    cache = caches[BUFFER_ALIAS]
    if isinstance(cache, RedisCache):
        _redis(cache).eval(_DROP_SCRIPT, 1, cache.make_and_validate_key(_PENDING), batch)
        return
    with _exclusive(cache):
        _take_finish(cache)
        record = cache.get(_PENDING)
        if record is not None and record["batch"] == batch:
            cache.delete(_PENDING)


@contextmanager
def buffer_flush_lock() -> Iterator[bool]:
    """True inside when this process holds the one flush allowed at a time."""
    cache = caches[BUFFER_ALIAS]
    with _exclusive(cache):
        acquired = cache.add(_FLUSH_LOCK, 1, timeout=_FLUSH_LOCK_SECONDS)
    try:
        yield acquired
    finally:
        if acquired:
            cache.delete(_FLUSH_LOCK)
