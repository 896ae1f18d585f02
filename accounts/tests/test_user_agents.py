"""The sessions list on My privacy names browsers as people know them."""

import pytest

from accounts.user_agents import user_agent_label

PHONE_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
WINDOWS_EDGE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
)
MAC_FIREFOX = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:133.0) Gecko/20100101 Firefox/133.0"
HEADLESS = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/156.0.0.0 Safari/537.36"
)


@pytest.mark.parametrize(
    ("user_agent", "label"),
    [
        (PHONE_CHROME, "Chrome on Android"),
        (IPHONE_SAFARI, "Safari on iPhone"),
        (WINDOWS_EDGE, "Edge on Windows"),
        (MAC_FIREFOX, "Firefox on Mac"),
        (HEADLESS, "Chrome on Linux"),
        ("curl/8.5.0", "Another browser"),
        ("", "Another browser"),
        ("SomethingNew/1.0 (Linux)", "A browser on Linux"),
    ],
)
def test_a_user_agent_is_named_as_people_know_it(user_agent, label):
    assert user_agent_label(user_agent) == label


@pytest.mark.django_db
def test_my_privacy_lists_sessions_by_browser_with_the_full_string_at_hand(client):
    from allauth.usersessions.models import UserSession
    from django.urls import reverse

    from accounts.tests.factories import UserFactory

    user = UserFactory()
    client.force_login(user)
    UserSession.objects.create(
        user=user, session_key=client.session.session_key, ip="203.0.113.9", user_agent=PHONE_CHROME
    )

    html = client.get(reverse("accounts:privacy")).content.decode()

    assert f'<td class="user-agent" title="{PHONE_CHROME}">Chrome on Android</td>' in html
