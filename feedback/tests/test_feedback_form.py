"""P14: the feedback form says what becomes of feedback; publishing is a separate opt-in."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import UserFactory
from feedback.models import Feedback
from feedback.services import feedback_publication_withdraw

URL = reverse("feedback:new")


def checkbox(html: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)


@pytest.mark.django_db
def test_the_form_says_feedback_becomes_ours_and_may_be_used_in_marketing(client):
    html = client.get(URL).content.decode()

    assert "<strong>What you send becomes CareerPerfect\N{RIGHT SINGLE QUOTATION MARK}s." in html
    assert "We may use it in our marketing" in html


@pytest.mark.django_db
def test_publishing_is_a_separate_unticked_opt_in(client):
    html = client.get(URL).content.decode()

    box = checkbox(html, "publish")
    assert 'type="checkbox"' in box
    assert "checked" not in box
    assert "required" not in box
    assert "only after our team approves it" in html


@pytest.mark.django_db
def test_anyone_can_send_feedback_without_giving_a_name_or_address(client):
    response = client.post(URL, {"body": "Great writers."})

    assert response.url == reverse("feedback:thanks")
    feedback = Feedback.objects.get()
    assert (feedback.body, feedback.name, feedback.email, feedback.user) == (
        "Great writers.",
        "",
        "",
        None,
    )
    assert not feedback.publish
    assert feedback.status == Feedback.Status.NEW


@pytest.mark.django_db
def test_empty_feedback_is_refused(client):
    response = client.post(URL, {"body": "  "})

    assert response.status_code == 200
    assert Feedback.objects.count() == 0


@pytest.mark.django_db
def test_the_form_is_prefilled_and_linked_when_signed_in(client):
    alice = UserFactory(email="alice@example.com", name="Alice Example")
    client.force_login(alice)

    html = client.get(URL).content.decode()
    client.post(URL, {"body": "Nice.", "name": "Alice Example", "email": "alice@example.com"})

    assert 'value="Alice Example"' in html
    assert 'value="alice@example.com"' in html
    assert Feedback.objects.get().user == alice


@pytest.mark.django_db
def test_publishing_needs_a_display_name(client):
    response = client.post(URL, {"body": "Nice.", "email": "g@example.com", "publish": "on"})

    assert "Choose the name to show with your story" in response.content.decode()
    assert Feedback.objects.count() == 0


@pytest.mark.django_db
def test_a_guest_publishing_must_give_an_address_for_the_withdraw_link(client):
    response = client.post(URL, {"body": "Nice.", "publish": "on", "display_name": "Sam"})

    assert "We need your e-mail address" in response.content.decode()
    assert Feedback.objects.count() == 0


@pytest.mark.django_db
def test_a_guest_who_publishes_is_emailed_a_link_to_withdraw(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            URL,
            {"body": "Nice.", "email": "guest@example.com", "publish": "on", "display_name": "Sam"},
        )

    feedback = Feedback.objects.get()
    assert feedback.publish
    assert feedback.display_name == "Sam"
    assert feedback.publish_opted_in_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["guest@example.com"]
    assert re.search(r"http://\S+/feedback/withdraw/\S+/", mail.outbox[0].body)


@pytest.mark.django_db
def test_feedback_not_for_publication_sends_no_mail_and_keeps_no_display_name(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"body": "Nice.", "email": "guest@example.com", "display_name": "Sam"})

    assert Feedback.objects.get().display_name == ""
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_form_sent_twice_stores_and_emails_once(client, django_capture_on_commit_callbacks):
    data = {
        "body": "The writer understood what I needed.",
        "email": "Guest@Example.com",
        "publish": "on",
        "display_name": "Guest",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, data)
        client.post(URL, {**data, "email": "guest@example.com"})
        client.post(URL, {**data, "body": "Something else as well."})

    assert Feedback.objects.count() == 2
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_sent_again_with_publish_ticked_the_opt_in_is_recorded(client):
    # The first time the author forgot to tick "publish"; they go back and send it again.
    client.post(URL, {"body": "Great writers.", "email": "g@example.com"})
    client.post(
        URL,
        {
            "body": "Great writers.",
            "email": "g@example.com",
            "publish": "on",
            "display_name": "Sam, Ohio",
        },
    )

    opted_in = Feedback.objects.get(publish=True)
    assert opted_in.display_name == "Sam, Ohio"
    assert opted_in.publish_opted_in_at is not None


@pytest.mark.django_db
def test_sent_again_under_another_display_name_that_name_is_recorded(client):
    data = {"body": "Great writers.", "email": "g@example.com", "publish": "on"}
    client.post(URL, {**data, "display_name": "Sam"})
    client.post(URL, {**data, "display_name": "Sam, Ohio"})

    assert Feedback.objects.filter(publish=True, display_name="Sam, Ohio").exists()


@pytest.mark.django_db
def test_sent_again_after_taking_the_story_down_it_is_opted_in_again(
    client, django_capture_on_commit_callbacks
):
    # The withdraw page says a story is not published "unless you send it again asking
    # for that".
    data = {"body": "Loved it.", "email": "g@example.com", "publish": "on", "display_name": "G"}
    data["form_key"] = form_key(client)  # sent again from the same page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, data)
        feedback_publication_withdraw(feedback=Feedback.objects.get())
        client.post(URL, data)

    assert Feedback.objects.filter(publish=True, display_name="G").count() == 1
    assert len(mail.outbox) == 2  # a withdraw link for the new opt-in too


def form_key(client) -> str:
    """The key the form is shown with, as a browser would send it back."""
    html = client.get(URL).content.decode()
    return re.search(r'<input type="hidden" name="form_key" value="([^"]+)"', html).group(1)


@pytest.mark.django_db
def test_the_same_words_from_two_people_without_an_address_are_both_kept(client):
    for _ in range(2):
        client.post(URL, {"body": "Thank you.", "form_key": form_key(client)})

    assert Feedback.objects.count() == 2


@pytest.mark.django_db
def test_the_same_page_sent_twice_without_an_address_is_kept_once(client):
    data = {"body": "Thank you.", "form_key": form_key(client)}
    for _ in range(2):
        assert client.post(URL, data).status_code == 302

    assert Feedback.objects.count() == 1


@pytest.mark.django_db
def test_the_same_page_sent_again_with_other_words_is_kept_too(client):
    key = form_key(client)
    client.post(URL, {"body": "Thank you.", "form_key": key})
    client.post(URL, {"body": "Thank you, and one more thing.", "form_key": key})

    assert Feedback.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "not-a-key", "0" * 31 + "\x00"])
def test_a_missing_or_damaged_key_does_not_stop_the_feedback(client, key):
    assert client.post(URL, {"body": "Thank you.", "form_key": key}).status_code == 302

    assert Feedback.objects.get().submission_key is None


@pytest.mark.django_db
def test_a_form_sent_back_with_errors_keeps_its_key(client):
    key = form_key(client)

    html = client.post(URL, {"body": "", "form_key": key}).content.decode()

    assert f'name="form_key" value="{key}"' in html


@pytest.mark.django_db
def test_sending_is_rate_limited(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "feedback": "2/h/ip"}

    statuses = [client.post(URL, {"body": f"Note {n}"}).status_code for n in range(3)]

    assert statuses == [302, 302, 429]
    assert Feedback.objects.count() == 2


@pytest.mark.django_db
def test_past_the_rate_limit_the_form_is_shown_again_with_what_was_typed(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "feedback": "1/h/ip"}
    client.post(URL, {"body": "First note."})

    response = client.post(URL, {"body": "My second note.", "name": "Sam Jones"})

    assert response.status_code == 429
    html = response.content.decode()
    assert "too many times in a short time. Please try again later" in html
    assert "My second note.</textarea>" in html
    assert 'value="Sam Jones"' in html
    assert Feedback.objects.count() == 1


@pytest.mark.django_db
def test_correcting_mistakes_does_not_use_up_the_rate_limit(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "feedback": "1/h/ip"}
    data = {"body": "Long story.", "email": "g@example.com", "publish": "on"}

    refused = [client.post(URL, data).status_code for _ in range(3)]  # no display name
    sent = client.post(URL, {**data, "display_name": "G"})

    assert refused == [200, 200, 200]
    assert sent.status_code == 302
    assert Feedback.objects.count() == 1


@pytest.mark.django_db
def test_an_address_longer_than_we_can_store_is_refused_clearly(client):
    response = client.post(URL, {"body": "Great writers.", "email": "x" * 250 + "@example.com"})

    assert response.status_code == 200
    assert "Ensure this value has at most 254 characters" in response.content.decode()
    assert not Feedback.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_page_sent_at_the_same_moment_through_two_servers_is_kept_once():
    import threading
    import uuid

    from django.db import connection, transaction

    from careerperfect.tests.row_locks import wait_for_a_blocked_lock
    from feedback.services import feedback_submit

    data = {"body": "Two clicks.", "email": "g@example.com", "form_key": uuid.uuid4()}
    answers = []

    def second():
        try:
            answers.append(feedback_submit(**data))
        finally:
            connection.close()

    other = threading.Thread(target=second)
    with transaction.atomic():
        first = feedback_submit(**data)
        other.start()
        wait_for_a_blocked_lock()  # the second insert waits on the first's key
    other.join(timeout=30)

    assert not other.is_alive()
    assert [feedback.pk for feedback in answers] == [first.pk]
    assert Feedback.objects.count() == 1


@pytest.mark.django_db
def test_the_same_page_sent_again_with_the_address_corrected_mails_the_link_there(
    client, django_capture_on_commit_callbacks
):
    # A guest publishing mistypes their address, goes back and corrects it: the link
    # that takes the story off the site must reach the address they corrected it to.
    data = {"body": "Loved it.", "publish": "on", "display_name": "G"}
    data["form_key"] = form_key(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {**data, "email": "g@exmaple.com"})
        client.post(URL, {**data, "email": "g@example.com"})

    assert Feedback.objects.filter(email="g@example.com").exists()
    assert [message.to for message in mail.outbox][-1] == ["g@example.com"]


@pytest.mark.django_db
def test_the_same_page_sent_again_with_an_address_added_keeps_the_address(client):
    data = {"body": "Please call me back.", "form_key": form_key(client)}
    client.post(URL, data)
    client.post(URL, {**data, "name": "Sam", "email": "sam@example.com"})

    assert Feedback.objects.filter(email="sam@example.com", name="Sam").exists()


@pytest.mark.django_db
def test_the_withdraw_link_goes_to_one_address_only_a_few_times_however_many_machines_ask(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    # The link mail carries the name and display name typed: from many addresses a
    # sender could otherwise fill a stranger's inbox with text of their choosing.
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "feedback_address": "2/h/key"}
    data = {"email": "Target@Example.com", "publish": "on", "display_name": "Visit evil.example"}

    statuses = []
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                URL, {**data, "body": f"Note {n}"}, REMOTE_ADDR=f"198.51.100.{n + 1}"
            )
        statuses.append(response.status_code)
    with django_capture_on_commit_callbacks(execute=True):
        other = client.post(
            URL, {**data, "body": "Note", "email": "else@example.com"}, REMOTE_ADDR="198.51.100.9"
        )

    assert statuses == [302, 302, 429]
    assert "too many times in a short time" in response.content.decode()
    assert other.status_code == 302
    assert [m.to for m in mailoutbox] == [["target@example.com"]] * 2 + [["else@example.com"]]


@pytest.mark.django_db
def test_the_same_address_written_another_way_counts_against_its_limit(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    # Full-width letters in the domain reach the same mailbox (the domain is sent in
    # its ASCII form), so they are no way round the limit per address.
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "feedback_address": "2/h/key"}
    data = {"publish": "on", "display_name": "Visit evil.example"}

    statuses = []
    for n, email in enumerate(
        ["target@example.com", "target@\uff45xample.com", "target@ex\uff41mple.com"]
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                URL,
                {**data, "email": email, "body": f"Note {n}"},
                REMOTE_ADDR=f"198.51.100.{n + 1}",
            )
        statuses.append(response.status_code)

    assert statuses == [302, 302, 429]
    assert len(mailoutbox) == 2
