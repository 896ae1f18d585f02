from django.apps import AppConfig


def _attach_guest_orders(sender, request=None, user=None, email_address=None, **kwargs):
    # A guest's orders follow their address into the account once it is verified
    # there: on confirming the address, and on each sign-in (for orders placed as a
    # guest while the account already existed).
    from orders.services import orders_attach_to_user

    orders_attach_to_user(user=email_address.user if email_address is not None else user)


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self):
        from allauth.account.signals import email_confirmed, user_logged_in

        from orders import checks  # noqa: F401  (registers the deploy check)

        email_confirmed.connect(_attach_guest_orders, dispatch_uid="orders.attach_on_confirm")
        user_logged_in.connect(_attach_guest_orders, dispatch_uid="orders.attach_on_login")
