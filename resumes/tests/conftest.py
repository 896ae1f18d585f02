import pytest

from accounts.roles import MARKETING, PRIVACY_OFFICER, RESUME_WRITER, SUPPORT
from accounts.tests.factories import UserFactory
from resumes.tests.factories import staff_member


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Every test stores private files in a folder of its own, inspected by the tests."""
    folder = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {**settings.STORAGES["private"], "OPTIONS": {"location": str(folder)}},
    }
    settings.PRIVATE_MEDIA_ACCEL_REDIRECT = ""
    return folder


@pytest.fixture
def owner(db):
    return UserFactory(email="owner@example.com", name="Olive Owner")


@pytest.fixture
def writer(db):
    return staff_member(RESUME_WRITER, email="writer@example.com", name="Wendy Writer")


@pytest.fixture
def other_writer(db):
    return staff_member(RESUME_WRITER, email="other.writer@example.com")


@pytest.fixture
def support(db):
    return staff_member(SUPPORT, email="support@example.com")


@pytest.fixture
def marketing(db):
    return staff_member(MARKETING, email="marketing@example.com")


@pytest.fixture
def privacy_officer(db):
    return staff_member(PRIVACY_OFFICER, email="privacy.officer@example.com")


@pytest.fixture
def stranger(db):
    return UserFactory(email="stranger@example.com")
