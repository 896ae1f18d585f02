"""Who may see a sitting or a result (P11): the owner only, plus a Privacy Officer
through a view that logs every use. Everyone else gets a 404, or a 403 for the
staff view."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import MARKETING, PRIVACY_OFFICER, RESUME_WRITER, SUPPORT
from accounts.tests.factories import UserFactory
from assessments.models import Answer, Result, Sitting
from assessments.tests.factories import owner_with_software, sitting_answered, sitting_scored
from privacy.models import StaffAccess

OWNER_URLS = [
    ("get", "assessments:resume", ()),
    ("get", "assessments:page", (1,)),
    ("post", "assessments:page", (1,)),
    ("get", "assessments:result", ()),
    ("get", "assessments:result_print", ()),
    ("get", "assessments:status", ()),
    ("post", "assessments:retry", ()),
]


def staff(role: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


PERSONAS = {
    "stranger": lambda: UserFactory(),
    "another owner of the software": owner_with_software,
    "support": lambda: staff(SUPPORT),
    "resume writer": lambda: staff(RESUME_WRITER),
    "marketing": lambda: staff(MARKETING),
    "privacy officer": lambda: staff(PRIVACY_OFFICER),
    "superuser": lambda: UserFactory(is_staff=True, is_superuser=True),
}


def url_for(name, sitting, extra):
    return reverse(name, args=[sitting.public_id, *extra])


@pytest.fixture(params=["in progress", "scored"])
def sitting(request):
    owner = owner_with_software()
    if request.param == "scored":
        return sitting_scored(owner)
    return sitting_answered(owner)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name", "extra"), OWNER_URLS)
def test_nobody_but_the_owner_reaches_a_sitting_or_its_result(
    client, sitting, persona, method, name, extra
):
    client.force_login(PERSONAS[persona]())

    response = getattr(client, method)(url_for(name, sitting, extra))

    assert response.status_code == 404
    assert Answer.objects.filter(sitting=sitting).count() == 48


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "name", "extra"), OWNER_URLS)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, sitting, method, name, extra):
    response = getattr(client, method)(url_for(name, sitting, extra))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "name", "extra"), OWNER_URLS)
def test_the_owner_reaches_every_url_of_their_sitting(client, sitting, method, name, extra):
    client.force_login(sitting.user)

    response = getattr(client, method)(url_for(name, sitting, extra))

    assert response.status_code in {200, 302}


@pytest.mark.django_db
def test_a_made_up_sitting_is_not_found(client):
    client.force_login(owner_with_software())

    response = client.get(
        reverse("assessments:result", args=["8f5c2a8e-0000-4000-8000-000000000000"])
    )

    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["stranger", "support", "resume writer", "marketing"])
def test_only_the_privacy_officer_permission_opens_the_staff_view(client, sitting, persona):
    client.force_login(PERSONAS[persona]())

    response = client.get(reverse("assessments:staff_result", args=[sitting.public_id]))

    assert response.status_code == 403
    assert not StaffAccess.objects.exists()


@pytest.mark.django_db
def test_the_owner_cannot_use_the_staff_view_either(client, sitting):
    client.force_login(sitting.user)

    response = client.get(reverse("assessments:staff_result", args=[sitting.public_id]))

    assert response.status_code == 403


@pytest.mark.django_db
def test_a_privacy_officer_no_longer_staff_cannot_use_the_staff_view(client, sitting, settings):
    # Unticking "staff status" is how access to the admin is taken away; the group, and
    # so the permission, may stay behind. Such an account is also asked for no second
    # factor any more.
    settings.ADMIN_REQUIRE_MFA = True
    former = staff(PRIVACY_OFFICER)
    former.is_staff = False
    former.save()
    client.force_login(former)

    response = client.get(reverse("assessments:staff_result", args=[sitting.public_id]))

    assert response.status_code == 403
    assert not StaffAccess.objects.exists()


@pytest.mark.django_db
def test_every_privacy_officer_view_is_logged(client):
    sitting = sitting_scored(owner_with_software())
    officer = staff(PRIVACY_OFFICER)
    client.force_login(officer)
    url = reverse("assessments:staff_result", args=[sitting.public_id])

    first = client.get(url)
    client.get(url)

    assert first.status_code == 200
    html = first.content.decode()
    assert sitting.user.email in html
    assert "<svg" in html
    assert "written to the staff access log" in html
    logged = StaffAccess.objects.filter(staff=officer, object_id=str(sitting.pk))
    assert logged.count() == 2
    assert logged.first().action == "view assessment result"
    assert logged.first().content_type.model == "sitting"
    # The log outlives the person's account: it names them by id, not by address.
    assert logged.first().description.endswith(f"of user #{sitting.user_id}")
    assert sitting.user.email not in logged.first().description


@pytest.mark.django_db
def test_staff_without_two_factor_see_no_results_where_the_admin_requires_it(client, settings):
    settings.ADMIN_REQUIRE_MFA = True
    sitting = sitting_scored(owner_with_software())
    client.force_login(staff(PRIVACY_OFFICER))

    response = client.get(reverse("assessments:staff_result", args=[sitting.public_id]))

    assert response.status_code == 302
    assert response.url == reverse("mfa_index")
    assert not StaffAccess.objects.exists()


@pytest.mark.django_db
def test_answers_and_results_are_not_in_the_admin():
    assert Answer not in admin.site._registry
    assert Result not in admin.site._registry


@pytest.mark.django_db
@pytest.mark.parametrize("role", [SUPPORT, PRIVACY_OFFICER])
def test_the_sittings_admin_shows_status_and_timing_only(client, role, django_assert_num_queries):
    scored = [sitting_scored(owner_with_software(name=f"Hidden Person {n}")) for n in range(3)]
    client.force_login(staff(role))
    url = reverse("admin:assessments_sitting_changelist")

    # session, user, user and group permissions, instruments for the filter, count,
    # total count, the page of sittings (+ instrument), date range and days for the
    # date hierarchy
    with django_assert_num_queries(10):
        response = client.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Scored" in html
    for sitting in scored:
        assert sitting.public_id.hex[:8] in html
        assert sitting.user.email not in html
        assert sitting.user.name not in html
    assert "Interest code" not in html
    assert "scores" not in html.lower()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lookup",
    [
        "user__id__exact",
        "user",
        "user_id",
        "user__email",
        "entitlement__id__exact",
        "scoring_token",
    ],
)
def test_the_sittings_admin_cannot_be_filtered_by_person(client, lookup):
    alice = owner_with_software()
    sitting = sitting_scored(alice)
    value = sitting.scoring_token if lookup == "scoring_token" else alice.pk
    client.force_login(staff(SUPPORT))

    response = client.get(reverse("admin:assessments_sitting_changelist"), {lookup: value})

    assert response.status_code == 400


@pytest.mark.django_db
def test_the_sittings_admin_filters_by_status_instrument_and_date(client):
    sitting = sitting_scored(owner_with_software())
    client.force_login(staff(SUPPORT))
    url = reverse("admin:assessments_sitting_changelist")

    for lookup, value in [
        ("status__exact", "scored"),
        ("instrument__id__exact", sitting.instrument_id),
        ("started_at__year", sitting.started_at.year),
    ]:
        response = client.get(url, {lookup: value})

        assert response.status_code == 200
        assert sitting.public_id.hex[:8] in response.content.decode()


@pytest.mark.django_db
def test_a_sitting_in_the_admin_links_to_the_logged_view_only_for_a_privacy_officer(client):
    sitting = sitting_scored(owner_with_software())
    url = reverse("admin:assessments_sitting_change", args=[sitting.pk])
    private = reverse("assessments:staff_result", args=[sitting.public_id])

    client.force_login(staff(SUPPORT))
    support_html = client.get(url).content.decode()
    client.force_login(staff(PRIVACY_OFFICER))
    officer_html = client.get(url).content.decode()

    assert private not in support_html
    assert private in officer_html
    for html in (support_html, officer_html):
        assert sitting.user.email not in html
        assert "Strongly" not in html
    assert not StaffAccess.objects.exists()  # Only opening the view is a view of the data.


@pytest.mark.django_db
def test_nobody_can_change_or_delete_a_sitting_in_the_admin(client):
    sitting = sitting_scored(owner_with_software())
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.post(reverse("admin:assessments_sitting_delete", args=[sitting.pk]))

    assert response.status_code == 403
    assert Sitting.objects.filter(pk=sitting.pk).exists()


@pytest.mark.django_db
def test_permitted_staff_edit_instrument_items_in_the_admin(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    from assessments.models import Instrument

    riasec = Instrument.objects.get(code="riasec-interests")
    response = client.get(reverse("admin:assessments_instrument_change", args=[riasec.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Track down why a bicycle" in html
    # Each item's scale is chosen among this instrument's six only.
    assert html.count('<option value="') - html.count('<option value="" selected') >= 48 * 6
    assert "Independence" not in html
