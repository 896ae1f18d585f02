from django.apps import AppConfig


def _attach_guest_orders(sender, request=None, user=None, email_address=None, **kwargs):
    # A guest's orders follow their address into the account once it is verified
    # there: on confirming the address, and on each sign-in (for orders placed as a
    # guest while the account already existed).
    from orders.services import orders_attach_to_user

    orders_attach_to_user(user=email_address.user if email_address is not None else user)


def _catalog_changed(sender, **kwargs):
    from django.db import transaction

    from orders.selectors import catalog_cache_clear

    # Now, and again once the change is committed: a page rendered in between could
    # otherwise cache what was there before.
    catalog_cache_clear()
    transaction.on_commit(catalog_cache_clear)


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self):
        from allauth.account.signals import email_confirmed, user_logged_in
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from orders import checks  # noqa: F401  (registers the deploy check)
        from orders.models import Product

        email_confirmed.connect(_attach_guest_orders, dispatch_uid="orders.attach_on_confirm")
        user_logged_in.connect(_attach_guest_orders, dispatch_uid="orders.attach_on_login")
        post_save.connect(_catalog_changed, sender=Product, dispatch_uid="orders.catalog.saved")
        post_delete.connect(_catalog_changed, sender=Product, dispatch_uid="orders.catalog.deleted")
        m2m_changed.connect(
            _catalog_changed, sender=Product.components.through, dispatch_uid="orders.catalog.m2m"
        )
