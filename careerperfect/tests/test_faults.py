"""Fault tests on real services of their own: Redis stopped, PostgreSQL restarted.

Each test runs gunicorn with production settings against a PostgreSQL cluster and a
Redis server started for it, so stopping them disturbs no other test or process.
"""

import http.cookiejar
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from careerperfect.testing import (
    Gunicorn,
    IsolatedPostgres,
    IsolatedRedis,
    manage,
    production_environment,
    wait_for,
)

pytestmark = pytest.mark.faults


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    base = tmp_path_factory.mktemp("faults")
    postgres = IsolatedPostgres()
    redis = IsolatedRedis(base / "redis")
    postgres.start()
    redis.start()
    env = production_environment(base / "var", DATABASE_URL=postgres.url, REDIS_URL=redis.url)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    server = Gunicorn(env)
    server.start()
    try:
        yield {"server": server, "postgres": postgres, "redis": redis, "env": env}
    finally:
        server.stop()
        redis.stop()
        postgres.stop()


def fetch(opener, url, data=None) -> int:
    try:
        with opener.open(url, data=data, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class PlainHttpCookiePolicy(http.cookiejar.DefaultCookiePolicy):
    """Send production's Secure cookies to the loopback server, which has no TLS."""

    def return_ok_secure(self, cookie, request):
        return True


def browser_like_opener():
    jar = http.cookiejar.CookieJar(policy=PlainHttpCookiePolicy())
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)


def test_pages_and_signup_answer_while_redis_is_stopped(stack):
    server, redis = stack["server"], stack["redis"]
    redis.stop()
    try:
        opener = browser_like_opener()
        for path in ("/", "/accounts/signup/", "/accounts/login/", "/privacy/"):
            assert fetch(opener, server.url + path) == 200, path

        form = opener.open(server.url + "/accounts/signup/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        data = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token,
                "email": "during.redis.outage@example.com",
                "password1": "a-long-enough-passphrase-42",
                "name": "Outage Person",
                "age_confirmed": "on",
            }
        ).encode()
        request = urllib.request.Request(
            server.url + "/accounts/signup/", data=data, headers={"Referer": server.url}
        )
        assert fetch(opener, request) == 302
    finally:
        redis.start()

    shell = (
        "from accounts.models import User; from mail.models import OutboundMessage;"
        "print(User.objects.filter(email='during.redis.outage@example.com').count(),"
        " OutboundMessage.objects.filter(to='during.redis.outage@example.com').count())"
    )
    # The account exists and its verification e-mail is stored, waiting to be sent.
    assert manage(stack["env"], "shell", "--no-imports", "-c", shell).split() == ["1", "1"]


def test_the_site_recovers_by_itself_after_postgresql_restarts_under_load(stack):
    server, postgres = stack["server"], stack["postgres"]
    results: list[tuple[float, float, int]] = []
    stop = threading.Event()

    def load():
        opener = browser_like_opener()
        while not stop.is_set():
            started = time.monotonic()
            status = fetch(opener, server.url + "/privacy/")
            results.append((started, time.monotonic(), status))

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(3)
    restarted_at = time.monotonic()
    postgres.pg_ctl("restart", "-m", "fast", "-w")
    back_at = time.monotonic()

    def started_after_restart():
        return [status for started, _, status in results if started > back_at + 1]

    # The pool reconnects in the background with a growing pause between attempts
    # (about 1 s, then 2 s, then 4 s), so a waiting request may take a few seconds:
    # load goes on until enough requests begun after the restart have answered.
    try:
        wait_for(lambda: len(started_after_restart()) >= 40, timeout=30)
    finally:
        stop.set()
        for thread in threads:
            thread.join()

    failures = [status for _, _, status in results if status != 200]
    after = started_after_restart()
    slowest = max(finished - started for started, finished, _ in results)
    print(
        f"\n{len(results)} requests, {len(failures)} failed, restart took "
        f"{back_at - restarted_at:.1f}s, slowest request {slowest:.1f}s; "
        f"{len(after)} requests after it, all 200: {set(after) == {200}}"
    )
    # Only requests in flight when the connections broke may fail: one per load
    # thread at most, and each gunicorn worker's pooled connections are checked.
    assert len(failures) <= len(threads)
    assert after and set(after) == {200}
    wait_for(lambda: fetch(browser_like_opener(), server.url + "/healthz") == 200)
