from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def sandbox_payments_check(app_configs, **kwargs):
    """In production the sandbox would let anyone mark an order paid without paying."""
    if settings.PAYMENT_PROVIDER == "sandbox" and not settings.DEBUG:
        return [
            Warning(
                "Payments go to the sandbox provider: buyers can mark orders paid without paying.",
                hint="Set PAYMENT_PROVIDER=stripe with STRIPE_SECRET_KEY and "
                "STRIPE_WEBHOOK_SECRET.",
                id="orders.W001",
            )
        ]
    return []
