from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save


def _account_address_follow(sender, instance, created, raw=False, update_fields=None, **kwargs):
    # However the account's address changes (allauth's "make primary", the admin), the
    # consent subject follows it. A new account gets its subject at signup.
    if created or raw or (update_fields is not None and "email" not in update_fields):
        return
    from consent.services import subject_address_follow

    subject_address_follow(user=instance)


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = "Consent ledger"

    def ready(self):
        post_save.connect(
            _account_address_follow,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="consent.account_address_follow",
        )
