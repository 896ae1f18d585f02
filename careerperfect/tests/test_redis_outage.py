import pytest
from django.urls import reverse

from accounts.models import User

DEAD_REDIS = {
    "default": {
        "BACKEND": "careerperfect.cache.FailOpenRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1},
    }
}


@pytest.fixture
def redis_down(settings):
    settings.CACHES = DEAD_REDIS


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["home", "account_signup", "account_login", "privacy:policy"])
def test_public_pages_answer_while_redis_is_down(client, redis_down, name):
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.django_db
def test_signup_works_while_redis_is_down(client, redis_down):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "during.outage@example.com",
            "password1": "a-long-enough-passphrase-42",
            "name": "Outage Person",
            "age_confirmed": "on",
        },
    )

    assert response.status_code == 302
    assert User.objects.filter(email="during.outage@example.com").exists()
