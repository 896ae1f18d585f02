"""Download my data in a real browser: request → progress → download the ZIP."""

import json
import re
import zipfile

import pytest
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory
from consent.purposes import Purpose, Source
from consent.services import consent_grant
from feedback.tests.factories import FeedbackFactory


def sign_in(page, live_server, user) -> None:
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/account/privacy/$"))


def download_zip(page) -> dict[str, bytes]:
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the ZIP file").click()
    download = info.value
    assert re.fullmatch(r"careerperfect-data-\d{4}-\d\d-\d\d\.zip", download.suggested_filename)
    with zipfile.ZipFile(download.path()) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def a_person_with_data():
    user = UserFactory(email="browser.person@example.com", name="Browser Person")
    consent_grant(user=user, purpose=Purpose.SITE_UPDATES, source=Source.SIGNUP)
    FeedbackFactory(user=user, body="Written in the browser test.")
    return user


@pytest.mark.browser
def test_download_my_data_from_my_privacy(page, live_server, mailoutbox):
    user = a_person_with_data()
    sign_in(page, live_server, user)

    page.get_by_role("button", name="Download my data").click()
    # All of a person's data in one file: the password first, as for deleting.
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/account/data-export/[0-9a-f-]+/$"))
    files = download_zip(page)

    data = json.loads(files["careerperfect-data/data.json"])
    assert data["sections"]["accounts"]["account"]["email"] == "browser.person@example.com"
    history = data["sections"]["consent"]["addresses"][0]["history"]
    assert [(e["code"], e["granted"]) for e in history] == [("site_updates", True)]
    assert data["sections"]["feedback"]["feedback"][0]["feedback"] == "Written in the browser test."
    assert "careerperfect-data/README.txt" in files
    assert mailoutbox[0].to == ["browser.person@example.com"]


@pytest.mark.browser
@pytest.mark.live_worker
def test_the_progress_page_refreshes_itself_until_the_worker_is_done(
    page, live_server, live_worker, settings
):
    # The worker writes the ZIP under its own VAR_DIR; the site must read it there.
    settings.STORAGES = {
        **settings.STORAGES,
        "data_exports": {
            **settings.STORAGES["data_exports"],
            "OPTIONS": {"location": str(live_worker.var_dir / "data-exports")},
        },
    }
    user = a_person_with_data()
    sign_in(page, live_server, user)
    live_worker.stop()

    page.get_by_role("button", name="Download my data").click()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/account/data-export/[0-9a-f-]+/$"))
    page.get_by_text("Waiting to start").wait_for()
    assert page.locator('meta[http-equiv="refresh"]').count() == 1
    live_worker.start()
    # No script on the page: only its meta refresh can bring the link in.
    page.get_by_role("link", name="Download the ZIP file").wait_for(timeout=90_000)
    files = download_zip(page)

    data = json.loads(files["careerperfect-data/data.json"])
    assert data["sections"]["accounts"]["account"]["email"] == "browser.person@example.com"
    assert page.locator("script").count() == 0
