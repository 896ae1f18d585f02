import pytest
import stripe

from orders.models import Product
from orders.tests.factories import ProductFactory
from orders.tests.stripe_fake import WEBHOOK_SECRET, FakeStripeHTTP
from partners.models import Partner, PartnerHost

PARTNER_HOST = "monster.careerperfect.localhost"


@pytest.fixture
def resume(db):
    return ProductFactory(
        kind=Product.Kind.RESUME_PACKAGE, name="Resume: Essentials", slug="essentials"
    )


@pytest.fixture
def software(db):
    return ProductFactory(
        kind=Product.Kind.SOFTWARE, name="Career planner", slug="planner", price_minor=4900
    )


@pytest.fixture
def executive(db):
    return ProductFactory(
        kind=Product.Kind.RESUME_PACKAGE,
        name="Resume: Executive",
        slug="executive",
        price_minor=29900,
        phone_reason="Your writer calls you for the interview.",
        postal_address_reason="We mail your printed copies here.",
    )


@pytest.fixture
def monster(db):
    partner = Partner.objects.create(
        name="Monster",
        slug="monster",
        privacy_policy_url="https://partner.example/privacy",
        notice_version=3,
    )
    PartnerHost.objects.create(partner=partner, host=PARTNER_HOST)
    return partner


@pytest.fixture
def fake_stripe(settings, monkeypatch):
    """Stripe as the provider, its API answered by a FakeStripeHTTP (no network)."""
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    http = FakeStripeHTTP()
    monkeypatch.setattr(
        "orders.providers.stripe_client",
        lambda: stripe.StripeClient("sk_test_fake", http_client=http),
    )
    return http
