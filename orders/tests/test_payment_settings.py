"""The payment provider is chosen by settings; the CSP lets forms lead to Stripe
Checkout only when Stripe is the provider."""

from careerperfect.tests.test_settings import run_manage

PRINT_FORM_ACTION = (
    "from django.conf import settings; print(settings.PAYMENT_PROVIDER, "
    "[str(source) for source in settings.SECURE_CSP['form-action']])"
)


def test_the_sandbox_is_the_default_and_forms_post_only_to_the_site(tmp_path):
    result = run_manage("shell", "-c", PRINT_FORM_ACTION, VAR_DIR=str(tmp_path))

    assert result.stdout.strip().splitlines()[-1] == "sandbox [\"'self'\"]", result.stderr


def test_with_stripe_forms_may_lead_to_stripe_checkout(tmp_path):
    result = run_manage(
        "shell",
        "-c",
        PRINT_FORM_ACTION,
        VAR_DIR=str(tmp_path),
        PAYMENT_PROVIDER="stripe",
        STRIPE_SECRET_KEY="sk_test_x",
        STRIPE_WEBHOOK_SECRET="whsec_x",
    )

    assert (
        result.stdout.strip().splitlines()[-1]
        == "stripe [\"'self'\", 'https://checkout.stripe.com']"
    ), result.stderr


def test_stripe_without_its_keys_refuses_to_start(tmp_path):
    result = run_manage("check", VAR_DIR=str(tmp_path), PAYMENT_PROVIDER="stripe")

    assert result.returncode != 0
    assert "needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET" in result.stderr


def test_an_unknown_provider_refuses_to_start(tmp_path):
    result = run_manage("check", VAR_DIR=str(tmp_path), PAYMENT_PROVIDER="paypal")

    assert result.returncode != 0
    assert "PAYMENT_PROVIDER must be sandbox or stripe" in result.stderr


def test_the_deploy_check_warns_against_the_sandbox_in_production(tmp_path):
    import secrets

    result = run_manage(
        "check",
        "--deploy",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="careerperfect.example",
        VAR_DIR=str(tmp_path),
    )

    assert "orders.W001" in result.stderr + result.stdout
