from django.apps import AppConfig


def _attach_guest_orders(sender, request=None, user=None, email_address=None, **kwargs):
    # A guest's orders follow their address into the account once it is verified
    # there: on confirming the address, and on each sign-in (for orders placed as a
    # guest while the account already existed).
    from orders.services import orders_attach_to_user

    orders_attach_to_user(user=email_address.user if email_address is not None else user)


def _catalog_forget(*, also: tuple[str, ...] = ()) -> None:
    from django.db import transaction

    from orders.selectors import catalog_cache_clear

    # Now, and again once the change is committed: a page rendered in between could
    # otherwise cache what was there before.
    catalog_cache_clear(also=also)
    transaction.on_commit(lambda: catalog_cache_clear(also=also))


def _catalog_changed(sender, instance=None, **kwargs):
    from orders.models import Product

    _catalog_forget(also=(instance.slug,) if isinstance(instance, Product) else ())


def _product_renaming(sender, instance, **kwargs):
    """A product's pages under its old slug are forgotten too."""
    from orders.models import Product

    if instance.pk is None:
        return
    old = Product.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()
    if old is not None and old != instance.slug:
        _catalog_forget(also=(old,))


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self):
        from allauth.account.signals import email_confirmed, user_logged_in
        from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

        from orders import checks  # noqa: F401  (registers the deploy check)
        from orders.models import Product

        email_confirmed.connect(_attach_guest_orders, dispatch_uid="orders.attach_on_confirm")
        user_logged_in.connect(_attach_guest_orders, dispatch_uid="orders.attach_on_login")
        pre_save.connect(_product_renaming, sender=Product, dispatch_uid="orders.catalog.renaming")
        post_save.connect(_catalog_changed, sender=Product, dispatch_uid="orders.catalog.saved")
        post_delete.connect(_catalog_changed, sender=Product, dispatch_uid="orders.catalog.deleted")
        m2m_changed.connect(
            _catalog_changed, sender=Product.components.through, dispatch_uid="orders.catalog.m2m"
        )
