from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save


def _account_address_follow(sender, instance, created, raw=False, update_fields=None, **kwargs):
    # A thin trigger: however the account's address changes (allauth's "make primary",
    # the admin), the consent subject follows it. A new account gets its at signup.
    if created or raw or (update_fields is not None and "email" not in update_fields):
        return
    from consent.services import subject_address_follow

    subject_address_follow(user=instance)


def _confirmed_address_follow(sender, request=None, email_address=None, **kwargs):
    # An account's own address confirmed only now: what waited for that can happen.
    from consent.services import consent_account_address_settle, subject_address_follow

    subject_address_follow(user=email_address.user)
    consent_account_address_settle(user=email_address.user)


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = "Consent ledger"

    def ready(self):
        from allauth.account.signals import email_confirmed

        email_confirmed.connect(
            _confirmed_address_follow, dispatch_uid="consent.confirmed_address_follow"
        )
        post_save.connect(
            _account_address_follow,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="consent.account_address_follow",
        )
