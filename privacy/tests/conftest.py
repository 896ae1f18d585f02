import pytest
from django.contrib.auth.models import Group

from accounts.roles import MARKETING, PRIVACY_OFFICER, SUPPORT
from accounts.tests.factories import UserFactory


def staff_with_role(role: str, **fields):
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def privacy_officer(db):
    return staff_with_role(PRIVACY_OFFICER, email="officer@example.com")


@pytest.fixture
def marketer(db):
    return staff_with_role(MARKETING, email="marketer@example.com")


@pytest.fixture
def support(db):
    return staff_with_role(SUPPORT, email="support@example.com")


@pytest.fixture
def alice(db):
    return UserFactory(email="alice@example.com")


@pytest.fixture
def bob(db):
    return UserFactory(email="bob@example.com")
