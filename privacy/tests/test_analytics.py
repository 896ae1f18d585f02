"""P1 and P2: anonymous aggregate counts, buffered and flushed; partner reports."""

import csv
import io
import os
import re
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from careerperfect.testing import wait_for
from careerperfect.tests.row_locks import wait_for_a_blocked_lock
from partners.models import Partner, PartnerHost
from privacy import analytics
from privacy.models import DailyCount, Disclosure, FlushedBatch
from privacy.services import PartnerReportScope, analytics_flush, partner_report_export

ROOT = Path(__file__).resolve().parents[2]
VISIT, USE = DailyCount.Kind.VISIT, DailyCount.Kind.USE


def buffered(kind: str, name: str, site: str = "") -> int:
    key = analytics.buffer_key(timezone.now().date(), kind, site, name)
    return caches[analytics.BUFFER_ALIAS].get(key) or 0


@pytest.fixture
def monster(db):
    partner = Partner.objects.create(
        name="Monster", slug="monster", privacy_policy_url="https://monster.example/privacy"
    )
    PartnerHost.objects.create(partner=partner, host="monster.careerperfect.localhost")
    return partner


# --- Counting --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_page_visit_is_counted_per_area_in_the_buffer_not_the_database(client):
    client.get(reverse("privacy:policy"))
    client.get(reverse("privacy:cookies"))
    client.get(reverse("home"))

    assert buffered(VISIT, "privacy") == 2
    assert buffered(VISIT, "home") == 1
    assert DailyCount.objects.count() == 0


@pytest.mark.django_db
def test_counting_can_be_switched_off(settings):
    settings.ANALYTICS_ENABLED = False
    client = Client()  # A new client loads the middleware under the setting.

    assert client.get(reverse("home")).status_code == 200
    assert buffered(VISIT, "home") == 0


@pytest.mark.django_db
def test_a_process_adds_its_counts_to_the_shared_buffer_every_few_seconds(client, settings):
    settings.ANALYTICS_PUSH_SECONDS = 3600
    for _ in range(3):
        client.get(reverse("home"))

    assert buffered(VISIT, "home") == 0
    analytics.usage_counts_push()
    assert buffered(VISIT, "home") == 3


@pytest.mark.django_db
def test_counts_that_could_not_be_pushed_wait_for_the_next_push(client, monkeypatch):
    real_add_many = analytics.buffer_add_many

    def down(counts):
        raise ConnectionError("cache down")

    monkeypatch.setattr(analytics, "buffer_add_many", down)
    assert client.get(reverse("home")).status_code == 200
    assert buffered(VISIT, "home") == 0

    monkeypatch.setattr(analytics, "buffer_add_many", real_add_many)
    analytics.usage_counts_push()
    assert buffered(VISIT, "home") == 1


@pytest.mark.django_db
def test_a_request_never_writes_a_count_to_the_database(client, alice):
    client.force_login(alice)

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
        client.get(reverse("accounts:privacy"))
        client.post(reverse("privacy:cookie_choices"), {"choice": "all", "next": "/"})

    assert not [q["sql"] for q in queries.captured_queries if "privacy_dailycount" in q["sql"]]
    assert buffered(USE, "cookie-choices") == 1


@pytest.mark.django_db
def test_nothing_that_identifies_a_visitor_is_kept(client, alice, monkeypatch):
    seen = []
    real_count = analytics.usage_count
    monkeypatch.setattr(
        "privacy.middleware.usage_count", lambda key: seen.append(key) or real_count(key)
    )
    client.force_login(alice)
    identity = {"HTTP_USER_AGENT": "UniqueAgent/4.2", "REMOTE_ADDR": "203.0.113.77"}

    client.get(reverse("home"), **identity)
    client.get(reverse("accounts:privacy"), **identity)
    client.post(reverse("privacy:cookie_choices"), {"choice": "all", "next": "/"}, **identity)
    analytics_flush()

    today = timezone.now().date()
    assert seen == [
        f"{today:%Y%m%d}:visit::home",
        f"{today:%Y%m%d}:visit::accounts",
        f"{today:%Y%m%d}:use::cookie-choices",
    ]
    identifying = [
        alice.email,
        "UniqueAgent",
        "203.0.113.77",
        client.session.session_key,
        client.cookies[django_settings.CSRF_COOKIE_NAME].value,
    ]
    stored = seen + [str(row) for row in DailyCount.objects.values_list()]
    assert [s for s in identifying if any(s in text for text in stored)] == []
    # No column could hold a user, address, browser, session or cookie.
    assert {field.name for field in DailyCount._meta.get_fields()} == {
        "id",
        "day",
        "kind",
        "site",
        "name",
        "count",
    }


@pytest.mark.django_db
def test_a_use_is_a_successful_submission_only(client):
    client.post(reverse("account_signup"), {"email": "not-an-address"})  # form shown again
    client.post(reverse("privacy:cookie_choices"), {"choice": "necessary", "next": "/"})

    assert buffered(USE, "sign-up") == 0
    assert buffered(USE, "cookie-choices") == 1


@pytest.mark.django_db
def test_a_submission_sent_to_the_sign_in_page_is_not_a_use(client):
    # My privacy's form sent after the session ended: the visitor is asked to sign in.
    response = client.post(reverse("accounts:privacy"), {"marketing": "on"})

    assert response.url.startswith(reverse("account_login"))
    assert buffered(USE, "privacy-choices") == 0


@pytest.mark.django_db
def test_admin_health_checks_and_missing_pages_are_not_counted(admin_client):
    admin_client.get(reverse("admin:index"))
    admin_client.get(reverse("healthz"))
    admin_client.get("/no-such-page/")

    today = timezone.now().date()
    keys = analytics.buffer_keys(today=today, sites=[""])
    assert caches[analytics.BUFFER_ALIAS].get_many(list(keys)) == {}


@pytest.mark.django_db
def test_visits_on_a_partner_site_are_counted_for_that_site(client, monster):
    client.get(reverse("home"), HTTP_HOST="monster.careerperfect.localhost")

    assert buffered(VISIT, "home", site="monster") == 1
    assert buffered(VISIT, "home") == 0


@pytest.mark.django_db
def test_a_counting_failure_never_breaks_the_page(client, monkeypatch):
    def broken(key):
        raise ConnectionError("cache down")

    monkeypatch.setattr("privacy.middleware.usage_count", broken)

    assert client.get(reverse("home")).status_code == 200


def test_an_app_namespace_is_an_area_without_configuration():
    names = analytics.known_names()

    assert (VISIT, "privacy") in names
    assert (VISIT, "accounts") in names
    assert (VISIT, "admin") not in names


# --- Flushing --------------------------------------------------------------------------


@pytest.mark.django_db
def test_flush_moves_the_counts_into_daily_rows_once(client, monster):
    client.get(reverse("home"))
    client.get(reverse("home"))
    client.get(reverse("home"), HTTP_HOST="monster.careerperfect.localhost")

    assert analytics_flush() == 3
    assert analytics_flush() == 0

    today = timezone.now().date()
    rows = {(r.site, r.name): r.count for r in DailyCount.objects.filter(day=today, kind=VISIT)}
    assert rows == {("", "home"): 2, ("monster", "home"): 1}
    assert buffered(VISIT, "home") == 0


@pytest.mark.django_db
def test_a_later_flush_adds_to_the_days_row(client):
    client.get(reverse("home"))
    analytics_flush()
    client.get(reverse("home"))
    analytics_flush()

    assert DailyCount.objects.get(kind=VISIT, name="home").count == 2


@pytest.mark.django_db
def test_counts_of_earlier_days_are_flushed_to_their_own_day():
    yesterday = timezone.now().date() - timedelta(days=1)
    analytics.buffer_add(analytics.buffer_key(yesterday, VISIT, "", "home"), 5)

    analytics_flush()

    assert DailyCount.objects.get(day=yesterday, name="home").count == 5


@pytest.mark.django_db
def test_buffered_counts_wait_for_a_late_flush(monkeypatch):
    # Beat may run late, or the worker be stopped for a while: a counter, however
    # often added to, keeps its counts until a flush takes them.
    key = analytics.buffer_key(timezone.now().date(), VISIT, "", "home")
    analytics.buffer_add(key)
    analytics.buffer_add(key)
    an_hour_later = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: an_hour_later)

    assert analytics_flush() == 2
    assert DailyCount.objects.get(kind=VISIT, name="home").count == 2


@pytest.mark.django_db
def test_a_failed_flush_leaves_its_counts_to_the_next_flush(client, monkeypatch):
    client.get(reverse("home"))

    def refuse(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(DailyCount.objects, "create", refuse)
    with pytest.raises(RuntimeError):
        analytics_flush()

    assert DailyCount.objects.count() == 0
    monkeypatch.undo()
    assert analytics_flush() == 1
    assert DailyCount.objects.get(kind=VISIT, name="home").count == 1


@pytest.mark.django_db
def test_only_one_flush_runs_at_a_time(client):
    client.get(reverse("home"))

    with analytics.buffer_flush_lock() as acquired:
        assert acquired
        assert analytics_flush() == 0

    assert analytics_flush() == 1


class Killed(BaseException):
    """Raised where SIGKILL, the OOM killer or a hard time limit would stop a worker:
    no `except Exception` runs, so nothing is put back or cleaned up on the way out."""


def use_file_buffer(settings, tmp_path):
    settings.CACHES = {
        **settings.CACHES,
        analytics.BUFFER_ALIAS: {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "analytics-buffer"),
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},  # as configured: nothing culled
        },
    }


@pytest.fixture(params=["files", pytest.param("redis", marks=pytest.mark.redis)])
def buffer_backend(request, settings, tmp_path):
    """The embedded default's file buffer; and Redis, when REDIS_URL is set."""
    if request.param == "files":
        use_file_buffer(settings, tmp_path)
    backend = {"files": "FileBasedCache", "redis": "RedisCache"}[request.param]
    assert type(caches[analytics.BUFFER_ALIAS]).__name__ == backend
    return request.param


def visits_counted(client):
    client.get(reverse("home"))
    client.get(reverse("home"))
    client.get(reverse("contact"))
    client.get(reverse("home"), HTTP_HOST="monster.careerperfect.localhost")


def daily_rows() -> dict[tuple[str, str], int]:
    return {(row.site, row.name): row.count for row in DailyCount.objects.filter(kind=VISIT)}


@pytest.mark.django_db
def test_a_flush_killed_before_its_commit_loses_no_count(
    buffer_backend, client, monster, monkeypatch
):
    visits_counted(client)

    def killed(**kwargs):
        raise Killed

    monkeypatch.setattr(DailyCount.objects, "create", killed)
    with pytest.raises(Killed):
        analytics_flush()
    monkeypatch.undo()
    assert daily_rows() == {}

    client.get(reverse("home"))  # counted before the next flush
    assert analytics_flush() == 5
    assert analytics_flush() == 0
    assert daily_rows() == {("", "home"): 3, ("", "contact"): 1, ("monster", "home"): 1}
    assert analytics.buffer_pending() is None


@pytest.mark.django_db
def test_a_flush_killed_after_its_commit_counts_nothing_twice(
    buffer_backend, client, monster, monkeypatch
):
    visits_counted(client)

    def killed(batch):
        raise Killed

    monkeypatch.setattr(analytics, "buffer_pending_drop", killed)
    with pytest.raises(Killed):
        analytics_flush()
    monkeypatch.undo()
    assert daily_rows() == {("", "home"): 2, ("", "contact"): 1, ("monster", "home"): 1}

    client.get(reverse("contact"))  # counted before the next flush
    assert analytics_flush() == 1
    assert daily_rows() == {("", "home"): 2, ("", "contact"): 2, ("monster", "home"): 1}
    assert analytics.buffer_pending() is None


@pytest.mark.django_db
def test_a_flush_killed_midway_through_taking_from_the_file_buffer_loses_and_doubles_nothing(
    client, monster, monkeypatch, settings, tmp_path
):
    # The file cache writes one counter at a time; Redis takes them all in one script.
    use_file_buffer(settings, tmp_path)
    visits_counted(client)
    real_counter_add = analytics._counter_add
    taken = []

    def killed_at_the_second_counter(cache, key, amount):
        if amount < 0 and taken:
            raise Killed
        if amount < 0:
            taken.append(key)
        real_counter_add(cache, key, amount)

    monkeypatch.setattr(analytics, "_counter_add", killed_at_the_second_counter)
    with pytest.raises(Killed):
        analytics_flush()
    monkeypatch.undo()

    # Counted again before the next flush, as often as before: a counter the take had
    # emptied now holds what it held when taken, and must not be taken again.
    visits_counted(client)
    assert analytics_flush() == 8
    assert analytics_flush() == 0
    assert daily_rows() == {("", "home"): 4, ("", "contact"): 2, ("monster", "home"): 2}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_flush_that_outlasts_its_lock_and_a_second_flush_add_its_batch_once(
    monkeypatch, settings, tmp_path
):
    use_file_buffer(settings, tmp_path)
    analytics.buffer_add(analytics.buffer_key(timezone.now().date(), VISIT, "", "home"), 3)
    in_transaction, may_commit = threading.Event(), threading.Event()
    real_parse = analytics.buffer_key_parse

    def parse_slowly_in_the_first_flush(key):
        # Called inside the transaction that adds the batch, once its id is recorded.
        if threading.current_thread().name == "first":
            in_transaction.set()
            may_commit.wait(timeout=30)
        return real_parse(key)

    monkeypatch.setattr(analytics, "buffer_key_parse", parse_slowly_in_the_first_flush)
    moved = {}

    def flush():
        try:
            moved[threading.current_thread().name] = analytics_flush()
        except Exception as error:  # Reported below, from the test's own thread.
            moved[threading.current_thread().name] = error
        finally:
            connections.close_all()

    first = threading.Thread(target=flush, name="first")
    first.start()
    assert in_transaction.wait(timeout=30)
    caches[analytics.BUFFER_ALIAS].delete(analytics._FLUSH_LOCK)  # as if it had expired
    second = threading.Thread(target=flush, name="second")
    second.start()
    wait_for_a_blocked_lock()  # the second flush found the batch pending and waits
    may_commit.set()
    first.join(timeout=30)
    second.join(timeout=30)

    assert moved == {"first": 3, "second": 0}
    assert daily_rows() == {("", "home"): 3}
    assert analytics.buffer_pending() is None


@pytest.mark.django_db
def test_a_flush_forgets_the_ids_of_batches_flushed_over_two_weeks_ago():
    FlushedBatch.objects.create(id="recent")
    FlushedBatch.objects.create(id="old")
    FlushedBatch.objects.filter(id="old").update(
        created_at=timezone.now() - timedelta(days=14, minutes=1)
    )

    analytics_flush()

    assert list(FlushedBatch.objects.values_list("id", flat=True)) == ["recent"]


def test_beat_runs_the_flush_task():
    entry = django_settings.CELERY_BEAT_SCHEDULE["privacy-analytics-flush"]

    assert entry["task"] == "privacy.tasks.analytics_buffer_flush"
    assert entry["schedule"] <= 900


@pytest.mark.django_db
def test_the_flush_task_flushes(client):
    from privacy.tasks import analytics_buffer_flush

    client.get(reverse("home"))

    assert analytics_buffer_flush.delay().get() == 1


def test_the_embedded_default_shares_the_buffer_between_processes_through_files(tmp_path):
    """Without Redis, four processes count at once into the file buffer, and a fifth
    reads every count: no count is lost to a race between processes."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env["VAR_DIR"] = str(tmp_path)
    count = (
        "from privacy.analytics import buffer_add\n"
        "for _ in range(150): buffer_add('20260101:visit::home')\n"
    )
    workers = [
        subprocess.Popen([sys.executable, "manage.py", "shell", "-c", count], cwd=ROOT, env=env)
        for _ in range(4)
    ]
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0, 0, 0]

    read = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.core.cache import caches; "
            "print(type(caches['analytics']).__name__, "
            "caches['analytics'].get('20260101:visit::home'))",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert read.stdout.split()[-2:] == ["FileBasedCache", "600"], read.stderr


@pytest.mark.redis
def test_with_redis_the_buffer_is_in_redis():
    assert caches[analytics.BUFFER_ALIAS].__class__.__name__ == "RedisCache"
    analytics.buffer_add("20260101:use::sign-up", 3)

    taken = analytics.buffer_take(["20260101:use::sign-up"], batch="b1")
    assert taken == {"20260101:use::sign-up": 3}
    assert analytics.buffer_pending() == ("b1", taken)
    analytics.buffer_pending_drop("b1")
    assert analytics.buffer_take(["20260101:use::sign-up"], batch="b2") == {}
    assert analytics.buffer_pending() is None


@pytest.mark.live_worker
def test_a_real_worker_flushes_what_the_web_process_counted(client, settings, live_worker):
    # The worker uses the configured key prefix; so does this test, on a Redis index
    # of its own, so that both see one buffer.
    settings.CACHES = {
        **settings.CACHES,
        "analytics": {**settings.CACHES["analytics"], "KEY_PREFIX": "cp-analytics"},
    }
    from privacy.tasks import analytics_buffer_flush

    client.get(reverse("home"))
    client.get(reverse("contact"))
    analytics_buffer_flush.delay()

    wait_for(lambda: DailyCount.objects.filter(name__in=["home", "contact"]).count() == 2)
    assert buffered(VISIT, "home") == 0


# --- Reports ---------------------------------------------------------------------------


def last_complete_weeks(n: int) -> list:
    today = timezone.localdate()
    this_monday = today - timedelta(days=today.weekday())
    return [this_monday - timedelta(weeks=w) for w in range(n, 0, -1)]


def count(day, name, n, kind=VISIT, site=""):
    DailyCount.objects.create(day=day, kind=kind, site=site, name=name, count=n)


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.django_db
def test_partner_report_suppresses_every_cell_below_k(monster, marketer):
    first, second = last_complete_weeks(2)
    count(first, "home", 9)
    count(first + timedelta(days=3), "home", 1)  # same week: 10 in all
    count(second, "home", 25)
    count(second, "privacy", 9)
    count(first, "sign-up", 12, kind=USE)
    count(timezone.localdate(), "home", 500)  # current week: not complete, not reported

    _, text = partner_report_export(
        partner=monster, scope=PartnerReportScope.ALL_SITES, weeks=2, exported_by=marketer
    )

    assert read_csv(text) == [
        ["week starting", "visits: home", "visits: privacy", "uses: sign-up"],
        [first.isoformat(), "10", "<10", "12"],
        [second.isoformat(), "25", "<10", "<10"],
    ]


@pytest.mark.django_db
def test_k_comes_from_settings(monster, marketer, settings):
    settings.PARTNER_REPORT_MIN_COUNT = 3
    (week,) = last_complete_weeks(1)
    count(week, "home", 3)
    count(week, "contact", 2)

    _, text = partner_report_export(
        partner=monster, scope=PartnerReportScope.ALL_SITES, weeks=1, exported_by=marketer
    )

    assert read_csv(text)[1] == [week.isoformat(), "<3", "3"]


@pytest.mark.django_db
def test_partner_scope_reports_only_the_partners_site(monster, marketer):
    (week,) = last_complete_weeks(1)
    count(week, "home", 40, site="monster")
    count(week, "home", 900)

    _, own = partner_report_export(
        partner=monster, scope=PartnerReportScope.PARTNER_SITE, weeks=1, exported_by=marketer
    )
    _, everything = partner_report_export(
        partner=monster, scope=PartnerReportScope.ALL_SITES, weeks=1, exported_by=marketer
    )

    assert read_csv(own)[1] == [week.isoformat(), "40"]
    assert read_csv(everything)[1] == [week.isoformat(), "940"]


@pytest.mark.django_db
def test_the_two_scopes_cannot_be_subtracted_to_reveal_a_count_below_k(monster, marketer):
    (week,) = last_complete_weeks(1)
    count(week, "contests", 12, site="monster")
    count(week, "contests", 3)  # the main site: fewer than k
    count(week, "home", 40, site="monster")
    count(week, "home", 10)
    count(week, "privacy", 11)  # the partner's own site has none

    _, own = partner_report_export(
        partner=monster, scope=PartnerReportScope.PARTNER_SITE, weeks=1, exported_by=marketer
    )
    _, everything = partner_report_export(
        partner=monster, scope=PartnerReportScope.ALL_SITES, weeks=1, exported_by=marketer
    )

    assert read_csv(own) == [
        ["week starting", "visits: contests", "visits: home"],
        [week.isoformat(), "12", "40"],
    ]
    assert read_csv(everything) == [
        ["week starting", "visits: contests", "visits: home", "visits: privacy"],
        [week.isoformat(), "withheld", "50", "11"],
    ]


@pytest.mark.django_db
def test_each_export_is_recorded_as_a_disclosure_of_aggregates(monster, marketer):
    weeks = last_complete_weeks(4)

    partner_report_export(
        partner=monster, scope=PartnerReportScope.PARTNER_SITE, weeks=4, exported_by=marketer
    )

    disclosure = Disclosure.objects.get()
    assert disclosure.recipient == "Monster"
    assert disclosure.basis == Disclosure.Basis.AGGREGATE
    assert disclosure.recorded_by == marketer
    assert disclosure.subjects.count() == 0
    assert weeks[0].isoformat() in disclosure.reference
    assert "cells below 10 suppressed" in disclosure.reference


@pytest.mark.django_db
def test_marketing_downloads_the_partner_csv_from_admin(client, marketer, monster):
    (week,) = last_complete_weeks(1)
    count(week, "home", 12, site="monster")
    client.force_login(marketer)

    response = client.post(
        reverse("admin:privacy_dailycount_partner_report"),
        {"partner": monster.pk, "scope": PartnerReportScope.PARTNER_SITE, "weeks": 4},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="careerperfect-usage-')
    assert read_csv(response.content.decode())[-1] == [week.isoformat(), "12"]
    assert Disclosure.objects.filter(recipient="Monster", recorded_by=marketer).count() == 1


@pytest.mark.django_db
def test_the_report_form_explains_its_errors(client, marketer):
    client.force_login(marketer)

    response = client.post(reverse("admin:privacy_dailycount_partner_report"), {"weeks": 4})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Disclosure.objects.count() == 0


@pytest.mark.django_db
def test_privacy_officer_sees_the_analytics_but_cannot_export(client, privacy_officer, monster):
    client.force_login(privacy_officer)

    page = client.get(reverse("admin:privacy_dailycount_changelist"))
    export = client.post(
        reverse("admin:privacy_dailycount_partner_report"),
        {"partner": monster.pk, "scope": PartnerReportScope.ALL_SITES, "weeks": 4},
    )

    assert page.status_code == 200
    assert "Download the CSV" not in page.content.decode()
    assert export.status_code == 403
    assert Disclosure.objects.count() == 0


@pytest.mark.django_db
def test_support_staff_see_no_analytics(client, support):
    client.force_login(support)

    assert client.get(reverse("admin:privacy_dailycount_changelist")).status_code == 403


@pytest.mark.django_db
def test_analytics_page_draws_a_weekly_svg_chart_with_a_table(client, marketer):
    weeks = last_complete_weeks(2)
    count(weeks[0], "home", 30)
    count(weeks[1], "home", 45)
    count(weeks[1], "sign-up", 4, kind=USE)
    client.force_login(marketer)

    html = client.get(reverse("admin:privacy_dailycount_changelist"), {"weeks": 4}).content.decode()

    assert html.count('<svg class="chart"') == 2
    assert '<title id="visits-chart-title">Page visits per site area, by week</title>' in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert sorted({i for i in ids if ids.count(i) > 1}) == []  # both charts and both forms
    assert "<title>home, week of" in html
    assert '<th scope="col">visits: home</th>' in html
    assert "<td>45</td>" in html
    assert "Download the CSV" in html


@pytest.mark.django_db
def test_the_chart_escapes_names(client, marketer):
    count(last_complete_weeks(1)[0], "<script>x</script>", 3)
    client.force_login(marketer)

    html = client.get(reverse("admin:privacy_dailycount_changelist")).content.decode()

    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


@pytest.mark.django_db
@pytest.mark.parametrize("days", [1, 60])
def test_analytics_page_query_count_does_not_grow_with_rows(
    client, marketer, django_assert_num_queries, days
):
    today = timezone.localdate()
    for offset in range(days):
        count(today - timedelta(days=offset), "home", 5)
        count(today - timedelta(days=offset), "sign-up", 1, kind=USE)
    client.force_login(marketer)
    url = reverse("admin:privacy_dailycount_changelist")
    client.get(url)

    # session, user, user's own and group permissions, partners for the site filter,
    # daily counts, partners for the report form
    with django_assert_num_queries(7):
        assert client.get(url, {"weeks": 12}).status_code == 200
