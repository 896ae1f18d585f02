from unittest import mock

import pytest


@pytest.mark.django_db
def test_it_reports_the_database(client, settings):
    settings.REDIS_URL = ""

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_it_answers_503_when_the_database_is_unreachable(client, settings):
    settings.REDIS_URL = ""
    with mock.patch("careerperfect.views.connection.cursor", side_effect=OSError("down")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


@pytest.mark.django_db
def test_it_answers_503_when_redis_is_configured_but_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "redis": "unreachable"}


@pytest.mark.redis
@pytest.mark.django_db
def test_it_reports_a_reachable_redis(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["redis"] == "ok"
