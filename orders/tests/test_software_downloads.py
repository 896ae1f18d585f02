"""Buyers of the software download the build for the computer they named at checkout;
the files are private, and the order page says what to do next with what was bought."""

import hashlib
import time
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.roles import MARKETING
from accounts.tests.factories import UserFactory
from orders.cart import CartLine
from orders.models import ComputerType, Order, OrderEvent, Product, SoftwareRelease
from orders.selectors import order_access_token
from orders.services import order_create, order_refund, software_release_add
from orders.tests.factories import ProductFactory, placed_order, sandbox_paid
from resumes.tests.factories import staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def software():
    return ProductFactory(kind=Product.Kind.SOFTWARE, name="Planner", slug="planner")


def build(software, computer_type=ComputerType.WINDOWS, version="1.0", data=b"windows build"):
    return software_release_add(
        product=software,
        computer_type=computer_type,
        version=version,
        download_name=f"planner-{version}-{computer_type}.zip",
        file=ContentFile(data, name="upload.zip"),
    )


def bought(software, *, user=None, email="gina@example.com", computer_type="windows"):
    order = order_create(
        lines=[CartLine(product=software, computer_type=computer_type)],
        user=user,
        name="Gina Buyer",
        email=user.email if user else email,
        age_confirmed_at=timezone.now(),
    )
    sandbox_paid(order)
    return order


def download_url(order) -> str:
    return reverse("orders:download", args=[order.public_id, order.lines.get().pk])


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_buyer_downloads_the_build_for_their_computer_as_a_private_attachment(client, software):
    build(software)
    build(software, ComputerType.MAC, data=b"mac build")
    user = UserFactory()
    order = bought(software, user=user, computer_type=ComputerType.MAC)
    client.force_login(user)

    response = client.get(download_url(order))

    assert response.status_code == 200
    assert body(response) == b"mac build"
    assert response["Content-Disposition"] == 'attachment; filename="planner-1.0-mac.zip"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_the_newest_published_build_is_handed_out(client, software):
    build(software, version="1.0", data=b"old")
    build(software, version="1.1", data=b"newer")
    newest = build(software, version="1.2", data=b"withdrawn")
    SoftwareRelease.objects.filter(pk=newest.pk).update(published=False)
    user = UserFactory()
    order = bought(software, user=user)
    client.force_login(user)

    assert body(client.get(download_url(order))) == b"newer"
    html = client.get(reverse("orders:detail", args=[order.public_id])).content.decode()
    assert "Version 1.1" in html
    assert hashlib.sha256(b"newer").hexdigest() in html


def test_a_bundle_that_includes_the_software_downloads_its_build(client, software):
    build(software, data=b"planner in the bundle")
    bundle = ProductFactory(kind=Product.Kind.BUNDLE, name="Everything")
    bundle.components.set([software, ProductFactory(kind=Product.Kind.RESUME_PACKAGE)])
    user = UserFactory()
    order = bought(bundle, user=user)
    client.force_login(user)

    assert body(client.get(download_url(order))) == b"planner in the bundle"


def test_no_download_before_payment_or_after_a_refund(client, software):
    build(software)
    user = UserFactory()
    unpaid = placed_order(software, user=user)
    refunded = bought(software, user=user)
    order_refund(order=refunded, source=OrderEvent.Source.STAFF, reason="Asked for it back")
    client.force_login(user)

    for order in (unpaid, refunded):
        assert client.get(download_url(order)).status_code == 404
        html = client.get(reverse("orders:detail", args=[order.public_id])).content.decode()
        assert "Download Planner" not in html


def test_without_a_build_for_the_computer_the_page_says_so(client, software):
    build(software, ComputerType.WINDOWS)
    user = UserFactory()
    order = bought(software, user=user, computer_type=ComputerType.LINUX)
    client.force_login(user)

    assert client.get(download_url(order)).status_code == 404
    html = client.get(reverse("orders:detail", args=[order.public_id])).content.decode()
    assert "The Linux PC download of Planner is not available yet" in html
    assert reverse("contact") in html


def test_the_paid_order_page_leads_on_to_assessments_and_resume_work(client, software):
    resume = ProductFactory(kind=Product.Kind.RESUME_PACKAGE, name="Resume")
    user = UserFactory()
    order = order_create(
        lines=[CartLine(product=software, computer_type="windows"), CartLine(product=resume)],
        user=user,
        name="Gina",
        email=user.email,
        age_confirmed_at=timezone.now(),
    )
    client.force_login(user)
    pending = client.get(reverse("orders:detail", args=[order.public_id])).content.decode()
    sandbox_paid(order)

    html = client.get(reverse("orders:detail", args=[order.public_id])).content.decode()

    assert "What happens next" not in pending
    assert "What happens next" in html
    assert reverse("assessments:index") in html
    assert reverse("resumes:list") in html


def test_a_guest_downloads_through_the_orders_link_while_it_works(client, software, settings):
    build(software)
    order = bought(software)
    token = order_access_token(order)
    link = reverse("orders:link", args=[token])
    download = reverse("orders:link_download", args=[token, order.lines.get().pk])

    html = client.get(link).content.decode()
    assert download in html
    assert "waiting for you in your account once you create one" in html
    assert body(client.get(download)) == b"windows build"

    later = time.time() + (settings.ORDER_LINK_DAYS + 1) * 86400
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = client.get(download)
    assert response.status_code == 302
    assert response.url == link


def test_builds_are_added_in_the_admin_and_kept_out_of_reach(client, software, settings):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    ProductFactory(kind=Product.Kind.RESUME_PACKAGE, name="Not software")
    add_url = reverse("admin:orders_softwarerelease_add")

    form = client.get(add_url).content.decode()
    response = client.post(
        add_url,
        {
            "product": software.pk,
            "computer_type": "mac",
            "version": "2.0",
            "download_name": "planner-2.0.dmg",
            "published": "on",
            "file": SimpleUploadedFile("Planner.dmg", b"\x00mac installer"),
        },
    )

    assert "Not software" not in form
    assert response.status_code == 302
    release = SoftwareRelease.objects.get()
    assert (release.size, release.sha256) == (14, hashlib.sha256(b"\x00mac installer").hexdigest())
    stored = Path(settings.STORAGES["private"]["OPTIONS"]["location"]) / release.storage_name
    assert stored.read_bytes() == b"\x00mac installer"
    assert "Planner.dmg" not in release.storage_name
    change = client.get(reverse("admin:orders_softwarerelease_change", args=[release.pk]))
    assert b'name="file"' not in change.content
    assert b'name="version"' not in change.content


def test_only_software_has_builds(software):
    with pytest.raises(ValueError, match="not software"):
        build(ProductFactory(kind=Product.Kind.RESUME_PACKAGE))


def test_deleting_a_build_in_the_admin_deletes_its_file(
    client, software, settings, django_capture_on_commit_callbacks
):
    release = build(software)
    stored = Path(settings.STORAGES["private"]["OPTIONS"]["location"]) / release.storage_name
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:orders_softwarerelease_delete", args=[release.pk]), {"post": "yes"}
        )

    assert response.status_code == 302
    assert not SoftwareRelease.objects.exists()
    assert not stored.exists()


def test_marketing_sees_the_builds_but_cannot_add_one(client, software):
    build(software)
    client.force_login(staff_member(MARKETING))

    assert client.get(reverse("admin:orders_softwarerelease_changelist")).status_code == 200
    assert client.get(reverse("admin:orders_softwarerelease_add")).status_code == 403


@pytest.mark.parametrize("builds", [1, 12])
def test_the_builds_changelist_query_count_does_not_grow(
    client, software, django_assert_num_queries, builds
):
    for number in range(builds):
        build(software, version=f"1.{number}")
    client.force_login(staff_member(MARKETING))

    # session, user, permissions (user's, groups'), count, count of all, the page with
    # its products, the product filter's choices
    with django_assert_num_queries(8):
        response = client.get(reverse("admin:orders_softwarerelease_changelist"))
    assert response.status_code == 200


def test_the_thank_you_is_shown_on_the_way_back_from_paying_only(client, software):
    user = UserFactory()
    order = bought(software, user=user)
    client.force_login(user)
    page = reverse("orders:detail", args=[order.public_id])

    assert b"Paid, thank you" in client.get(page + "?payment=returned").content
    assert b"Paid, thank you" not in client.get(page).content


def test_a_bundle_changed_after_it_was_paid_for_still_downloads_the_software_bought(
    client, software
):
    build(software, data=b"planner in the bundle")
    resume = ProductFactory(kind=Product.Kind.RESUME_PACKAGE)
    bundle = ProductFactory(kind=Product.Kind.BUNDLE, name="Everything")
    bundle.components.set([software, resume])
    user = UserFactory()
    order = bought(bundle, user=user)
    # Marketing makes the bundle a resume-only offer from now on.
    bundle.components.set([resume])
    client.force_login(user)

    assert body(client.get(download_url(order))) == b"planner in the bundle"


def test_back_from_paying_before_the_provider_confirms_the_page_checks_again_by_itself(
    client, software
):
    user = UserFactory()
    order = placed_order(software, user=user)
    client.force_login(user)
    page = reverse("orders:detail", args=[order.public_id])

    waiting = client.get(page + "?payment=returned").content.decode()
    assert '<meta http-equiv="refresh" content="5">' in waiting
    assert "checks again every few seconds" in waiting
    assert 'http-equiv="refresh"' not in client.get(page).content.decode()

    Order.objects.filter(pk=order.pk).update(status=Order.Status.PAID)
    paid = client.get(page + "?payment=returned").content.decode()
    assert "Paid, thank you" in paid
    assert 'http-equiv="refresh"' not in paid
