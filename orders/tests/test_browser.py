"""End to end in a real browser, on a partner's pages: product → cart → checkout →
sandbox payment → the paid order with its timeline, and the receipt."""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from orders.models import Order, Product
from orders.tests.factories import ProductFactory
from partners.models import Partner, PartnerHost


@pytest.mark.browser
def test_buying_on_a_partner_site_with_the_sandbox(page, live_server, mailoutbox):
    ProductFactory(kind=Product.Kind.RESUME_PACKAGE, name="Resume: Essentials", slug="essentials")
    ProductFactory(
        kind=Product.Kind.SOFTWARE, name="Career planner", slug="planner", price_minor=4900
    )
    partner = Partner.objects.create(
        name="Monster", slug="monster", privacy_policy_url="https://partner.example/privacy"
    )
    # The browser reaches the live server as "localhost": that host is the partner's.
    port = urlsplit(live_server.url).port
    PartnerHost.objects.create(partner=partner, host="localhost")
    site = f"http://localhost:{port}"

    page.goto(site + reverse("orders:products"))
    assert page.get_by_text("CareerPerfect with Monster").is_visible()
    page.get_by_role("link", name="Career planner").click()
    page.get_by_label("Which computer will you install it on?").select_option("mac")
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_text("Career planner is in your cart.").wait_for()
    page.goto(site + reverse("orders:product", args=["essentials"]))
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("link", name="Check out").click()

    notice = page.get_by_role(
        "complementary", name="You are on CareerPerfect pages run with Monster"
    )
    assert "belongs to both CareerPerfect and Monster" in notice.inner_text()
    page.get_by_label("Your name").fill("Gina Guest")
    page.get_by_label("E-mail address").fill("gina@example.com")
    page.get_by_label("I am 13 or older.").check()
    assert not page.get_by_label("E-mail me now and then").is_checked()
    page.get_by_role("button", name="Go to payment").click()

    page.wait_for_url(re.compile(r"/pay/sandbox/"))
    assert page.get_by_role("heading", name="Sandbox payment").is_visible()
    assert page.locator("input:not([type=hidden])").count() == 0
    page.get_by_role("button", name="Pay $148.00").click()

    page.wait_for_url(re.compile(r"/orders/link/"))
    page.get_by_text("Paid, thank you.").wait_for()
    timeline = page.get_by_role("list").filter(has_text="Order placed")
    assert "Order placed on Monster's pages" in timeline.inner_text()
    assert "Payment received" in timeline.inner_text()
    assert page.get_by_text("Software download").is_visible()

    order = Order.objects.get()
    assert (order.status, order.partner, order.partner_notice_version) == ("paid", partner, 1)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["gina@example.com"]
    assert "Total paid: $148.00" in mailoutbox[0].body
    assert "Bought on CareerPerfect with Monster" in mailoutbox[0].body
