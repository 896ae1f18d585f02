import uuid

from allauth.core.ratelimit import consume, consume_or_429
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from careerperfect.paging import page_of
from careerperfect.private_files import private_file_response
from consent.purposes import COMMUNICATION_PURPOSES
from consent.selectors import consent_is_granted
from orders.cart import (
    CartError,
    cart_add,
    cart_clear,
    cart_lines,
    cart_lines_without_computer_type,
    cart_remove,
    cart_total_minor,
    cart_version,
    checkout_reasons,
    product_needs_computer_type,
)
from orders.forms import AddToCartForm, CheckoutForm, OrderFindForm, SandboxPaymentForm
from orders.models import Order, OrderEvent, Payment
from orders.payments import (
    PaymentMismatch,
    WebhookRejected,
    WebhookTooEarly,
    payment_start,
    sandbox_outcome_apply,
    stripe_webhook_handle,
)
from orders.providers import (
    PaymentAlreadyMade,
    PaymentProviderError,
    sandbox_payment_from_token,
)
from orders.selectors import (
    CATALOG_CACHE_SECONDS,
    order_access_path,
    order_get_for_user,
    order_has_lines_of_cart,
    order_link_resolve,
    order_list_for_user,
    order_placed_with_checkout_key,
    order_software_releases,
    product_get_active,
    product_list_active,
    product_page_cache_key,
)
from orders.services import (
    ADDRESS_FIELDS,
    OrderAlreadyPlaced,
    OrderTransitionError,
    order_cancel,
    order_create,
    order_links_queue,
    order_links_request,
)
from partners.selectors import partner_of_request


def product_list(request):
    return render(
        request,
        "orders/product_list.html",
        {"products": product_list_active(), "cache_seconds": CATALOG_CACHE_SECONDS},
    )


def product_detail(request, slug):
    # Until the product changes, its name, text, price and empty cart form are the same
    # for every visitor: they come from one cache read, the CSRF token added to them.
    key = product_page_cache_key(slug)
    page = cache.get(key)
    if page is None:
        product = product_get_active(slug=slug)
        form = AddToCartForm(needs_computer_type=product_needs_computer_type(product))
        page = {"title": product.name, "body": _product_body(product, form)}
        cache.set(key, page, CATALOG_CACHE_SECONDS)
    return _product_page(request, page["title"], page["body"])


def _product_body(product, form) -> str:
    """The product's part of its page, as safe HTML (a SafeString stays one when cached)."""
    return render_to_string("orders/includes/product_body.html", {"product": product, "form": form})


def _product_page(request, title: str, body: str):
    return render(request, "orders/product_detail.html", {"title": title, "body": body})


@require_POST
def cart_add_view(request, slug):
    product = product_get_active(slug=slug)
    form = AddToCartForm(request.POST, needs_computer_type=product_needs_computer_type(product))
    if form.is_valid():
        try:
            cart_add(
                session=request.session,
                product=product,
                computer_type=form.cleaned_data.get("computer_type", ""),
            )
        except CartError as error:
            messages.error(request, str(error))
            return redirect("orders:product", slug=product.slug)
        messages.success(request, f"{product.name} is in your cart.")
        return redirect("orders:cart")
    return _product_page(request, product.name, _product_body(product, form))


def cart_view(request):
    lines = cart_lines(session=request.session)
    return render(
        request, "orders/cart.html", {"lines": lines, "total_minor": cart_total_minor(lines)}
    )


@require_POST
def cart_remove_view(request, product_id):
    cart_remove(session=request.session, product_id=product_id)
    messages.info(request, "Removed from your cart.")
    return redirect("orders:cart")


SENT_TWICE = "You sent the form twice; your order was placed once."


def _checkout_form(request, lines, data=None) -> CheckoutForm:
    user = request.user if request.user.is_authenticated else None
    phone_reasons, address_reasons = checkout_reasons(lines)
    return CheckoutForm(
        data,
        ask_email=user is None,
        phone_reasons=phone_reasons,
        address_reasons=address_reasons,
        # An account confirmed the minimum age at signup (P15).
        ask_age=user is None or user.age_confirmed_at is None,
        # Someone signed in is offered only the elections they have not made yet.
        elections=[
            purpose
            for purpose in COMMUNICATION_PURPOSES
            if user is None or not consent_is_granted(user=user, purpose=purpose, in_force=True)
        ],
        partner=partner_of_request(request),
        initial={"checkout_key": uuid.uuid4(), "cart_version": cart_version(lines)}
        | ({"name": user.name} if user else {}),
    )


def _return_urls(request, order: Order) -> tuple[str, str]:
    url = request.build_absolute_uri(order_access_path(order))
    return f"{url}?payment=returned", f"{url}?payment=cancelled"


# Never stored by the browser: a form from its cache would carry a used checkout key.
@never_cache
@require_http_methods(["GET", "POST"])
def checkout(request):
    lines = cart_lines(session=request.session)
    if not lines:
        placed = request.method == "POST" and order_placed_with_checkout_key(
            key=request.POST.get("checkout_key", "")
        )
        if placed:
            # Sent again after its order emptied the cart (a double click answered
            # second, the back button): the order it placed, not an empty cart.
            messages.info(request, SENT_TWICE)
            return redirect(order_access_path(placed))
        messages.info(request, "Your cart is empty: choose a product first.")
        return redirect("orders:cart")
    if len({line.product.currency for line in lines}) > 1:
        # A price changed to another currency after it went in the cart.
        messages.error(
            request,
            "Your cart holds products priced in different currencies, which must be bought "
            "separately: remove some, then check out.",
        )
        return redirect("orders:cart")
    if unchosen := cart_lines_without_computer_type(lines):
        messages.error(
            request,
            f"{unchosen[0].product.name} now includes software: choose the computer it is "
            "for on its page, and add it to your cart again.",
        )
        return redirect("orders:cart")
    form = _checkout_form(request, lines, request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and form.cleaned_data["cart_version"] not in ("", cart_version(lines))
    ):
        # A price changed, or a product stopped being sold, while the page was open.
        messages.error(
            request,
            "Your cart changed since this page was shown (a price, or a product no longer "
            "sold), so nothing was ordered. Check it below, then place your order.",
        )
        fresh = request.POST.copy()
        fresh["cart_version"] = cart_version(lines)
        return _checkout_page(request, _checkout_form(request, lines, fresh), lines)
    if request.method == "POST" and form.is_valid():
        user = request.user if request.user.is_authenticated else None
        data = form.cleaned_data
        try:
            order = order_create(
                lines=lines,
                user=user,
                name=data["name"],
                email=user.email if user else data["email"],
                phone=data.get("phone", ""),
                address={field: data.get(field, "") for field in ADDRESS_FIELDS},
                age_confirmed_at=(
                    timezone.now() if "age_confirmed" in data else user.age_confirmed_at
                ),
                partner=form.partner,
                elections=[
                    purpose for purpose in COMMUNICATION_PURPOSES if data.get(purpose.value)
                ],
                checkout_key=data["checkout_key"],
            )
        except OrderAlreadyPlaced as placed:
            if order_has_lines_of_cart(order=placed.order, lines=lines):
                cart_clear(session=request.session)
                messages.info(request, SENT_TWICE)
                return redirect(order_access_path(placed.order))
            # A form left open from an earlier order (a second tab, the back button),
            # sent for a cart filled since: nothing is ordered, the cart stays, and the
            # form comes back with a key of its own.
            messages.error(
                request,
                f"This form was already used for your order {placed.order.reference}, and "
                "your cart has changed since, so nothing was ordered. Please check your "
                "details and place this order.",
            )
            fresh = request.POST.copy()
            fresh["checkout_key"] = str(uuid.uuid4())
            return _checkout_page(request, _checkout_form(request, lines, fresh), lines)
        cart_clear(session=request.session)
        if user is None and any(data.get(purpose.value) for purpose in COMMUNICATION_PURPOSES):
            messages.info(
                request,
                f"If {order.email} still needs confirming for the e-mail you asked for, a link "
                "is on its way to it: that e-mail starts once you follow the link.",
            )
        return _pay(request, order, actor=user)
    return _checkout_page(request, form, lines)


def _checkout_page(request, form: CheckoutForm, lines):
    return render(
        request,
        "orders/checkout.html",
        {"form": form, "lines": lines, "total_minor": cart_total_minor(lines)},
    )


def _pay(request, order: Order, actor=None):
    return_url, cancel_url = _return_urls(request, order)
    try:
        url = payment_start(order=order, return_url=return_url, cancel_url=cancel_url, actor=actor)
    except PaymentAlreadyMade as error:
        messages.info(request, str(error))
    except PaymentProviderError:
        messages.error(
            request,
            "We could not reach our payment provider. Nothing was charged; please try "
            "again in a few minutes.",
        )
    except OrderTransitionError as error:
        _order_moved_on(request, order, error, action="pay")
    else:
        return redirect(url)
    return redirect(order_access_path(order))


Status = Order.Status
# Pay or Cancel sent from a page older than the order's status (a second click, the
# back button, another tab): the buyer is told where the order stands.
ORDER_MOVED_ON = {
    ("pay", Status.PAID): "This order is paid already, so nothing more was charged.",
    ("pay", Status.FULFILLED): "This order is paid already, so nothing more was charged.",
    ("pay", Status.CANCELLED): "This order is cancelled, so it can no longer be paid.",
    ("pay", Status.REFUNDED): "This order was refunded, so it can no longer be paid.",
    ("cancel", Status.CANCELLED): "This order is cancelled already. Nothing was charged.",
    ("cancel", Status.REFUNDED): "This order was refunded already.",
}
PAID_NOT_CANCELLED = (
    "This order is paid, so it can no longer be cancelled here. To have it refunded, "
    "please contact us."
)


CANCELLABLE = (Status.PENDING, Status.PAYMENT_FAILED)


def _order_status_told(request, order: Order, *, action: str) -> bool:
    """Tell the buyer why the order's status stops the action; False if it does not."""
    told = ORDER_MOVED_ON.get((action, order.status))
    if told is not None:
        messages.info(request, told)
    elif action == "cancel" and order.status in (Status.PAID, Status.FULFILLED):
        messages.error(request, PAID_NOT_CANCELLED)
    else:
        return False
    return True


def _order_moved_on(request, order: Order, error: OrderTransitionError, *, action: str) -> None:
    order.refresh_from_db(fields=["status"])
    if not _order_status_told(request, order, action=action):
        messages.error(request, str(error))


@login_required
def order_list(request):
    return render(
        request,
        "orders/order_list.html",
        {"orders": page_of(request, order_list_for_user(user=request.user))},
    )


def _order_page(request, order: Order, link_token: str = ""):
    releases = order_software_releases(order=order)
    for line in order.lines.all():
        line.unlocks_download = line.pk in releases
        line.release = releases.get(line.pk)
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "link_token": link_token,
            "payment_returned": request.GET.get("payment"),
            "payment": next(iter(order.settled_payments), None),
            "can_pay": order.status in (Order.Status.PENDING, Order.Status.PAYMENT_FAILED),
            "link_days": settings.ORDER_LINK_DAYS,
        },
    )


@login_required
def order_detail(request, public_id):
    return _order_page(request, order_get_for_user(user=request.user, public_id=public_id))


def _to_account(request, order: Order):
    # Once an order is in an account, the account guards it, not the link.
    messages.info(request, "This order is now in an account: sign in to see it.")
    return redirect("orders:detail", public_id=order.public_id)


@never_cache
def order_link(request, token):
    link = order_link_resolve(token=token)
    if link.order.user_id:
        return _to_account(request, link.order)
    if link.expired:
        return render(
            request,
            "orders/link_expired.html",
            {"token": token, "link_days": settings.ORDER_LINK_DAYS},
            status=410,
        )
    return _order_page(request, link.order, link_token=token)


@require_POST
def order_link_renew(request, token):
    """From an expired link: a new one, e-mailed to the address the order was placed
    with (never shown here, so an old link in someone else's hands gains nothing)."""
    link = order_link_resolve(token=token)
    if link.order.user_id:
        return _to_account(request, link.order)
    limited = consume_or_429(request, action="order_link_renew", key=str(link.order.public_id))
    if limited:
        return limited
    order_links_queue(orders=[link.order])
    return redirect("orders:links_sent")


@require_http_methods(["GET", "POST"])
def order_find(request):
    """Guest orders' links, e-mailed to the address typed; the answer is the same
    whether or not there are any, so the page tells no one who has ordered."""
    form = OrderFindForm(request.POST or None)
    if request.method == "POST":
        limited = consume_or_429(request, action="order_links")
        if limited:
            return limited
        if form.is_valid():
            address = form.cleaned_data["email"]
            # Past its limit an address gets nothing more, and the answer does not
            # change: no one can flood an inbox, nor learn that they reached a limit.
            if consume(request, action="order_links_address", key=address.casefold()):
                order_links_request(email=address)
            return redirect("orders:links_sent")
    return render(request, "orders/order_find.html", {"form": form})


def order_links_sent(request):
    return render(request, "orders/links_sent.html", {"link_days": settings.ORDER_LINK_DAYS})


def _order_for(request, public_id=None, token=None) -> Order | None:
    """The order a pay or cancel button acts on; None when its link no longer gives
    access (expired, or the order is now in an account)."""
    if token is not None:
        link = order_link_resolve(token=token)
        return None if link.expired or link.order.user_id else link.order
    return order_get_for_user(user=request.user, public_id=public_id)


def _download(order: Order, line_id: int):
    release = order_software_releases(order=order).get(line_id)
    if release is None:
        raise Http404("No download for this order line.")
    return private_file_response(
        name=release.storage_name,
        filename=release.download_name,
        content_type="application/octet-stream",
    )


@login_required
def order_download(request, public_id, line_id):
    return _download(order_get_for_user(user=request.user, public_id=public_id), line_id)


def order_link_download(request, token, line_id):
    order = _order_for(request, token=token)
    if order is None:
        return redirect("orders:link", token=token)
    return _download(order, line_id)


def _signed_out_since(request, token) -> bool:
    """Pay or Cancel pressed on an account's order page after its session ended (the
    person signed out in another tab): they are asked to sign in, as the page itself
    would, rather than told there is no such order. Strangers learn nothing either way."""
    return token is None and not request.user.is_authenticated


@require_POST
def order_pay(request, public_id=None, token=None):
    if _signed_out_since(request, token):
        # Back to the order page after signing in (accounts.unsent_forms' middleware).
        return redirect_to_login(request.path)
    order = _order_for(request, public_id, token)
    if order is None:
        return redirect("orders:link", token=token)
    return _pay(request, order, actor=request.user if request.user.is_authenticated else None)


def _order_page_path(order: Order, token) -> str:
    """The order page a pay or cancel button was on: its link's, or the account's."""
    if token is not None:
        return reverse("orders:link", args=[token])
    return reverse("orders:detail", args=[order.public_id])


# Never stored by the browser: a guest's page is reached by its private link.
@never_cache
@require_http_methods(["GET", "POST"])
def order_cancel_view(request, public_id=None, token=None):
    """Asks first, on a page of its own (GET); cancels on POST. A cancelled order
    cannot be brought back."""
    if _signed_out_since(request, token):
        return redirect_to_login(request.path)
    order = _order_for(request, public_id, token)
    if order is None:
        return redirect("orders:link", token=token)
    if request.method == "GET":
        if order.status not in CANCELLABLE:
            _order_status_told(request, order, action="cancel")
            return redirect(_order_page_path(order, token))
        return render(
            request,
            "orders/order_cancel.html",
            {"order": order, "order_url": _order_page_path(order, token)},
        )
    try:
        order_cancel(
            order=order,
            source=OrderEvent.Source.BUYER,
            actor=request.user if request.user.is_authenticated else None,
            reason="Cancelled by the buyer before paying",
        )
    except OrderTransitionError as error:
        _order_moved_on(request, order, error, action="cancel")
    except PaymentProviderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Your order is cancelled. Nothing was charged.")
    return redirect(_order_page_path(order, token))


@require_http_methods(["GET", "POST"])
def sandbox_pay(request, token):
    """The sandbox provider's hosted page: no card details, the buyer picks the outcome."""
    try:
        payment = sandbox_payment_from_token(token)
    except signing.SignatureExpired:
        return render(
            request,
            "orders/sandbox_expired.html",
            {"link_days": settings.ORDER_LINK_DAYS},
            status=410,
        )
    if payment is None:
        raise Http404("No such payment.")
    if request.method == "POST":
        form = SandboxPaymentForm(request.POST)
        if form.is_valid() and payment.status == Payment.Status.STARTED:
            try:
                sandbox_outcome_apply(payment=payment, outcome=form.cleaned_data["outcome"])
            except OrderTransitionError as error:
                messages.error(request, str(error))
            except PaymentMismatch:
                messages.error(
                    request,
                    "This payment page is not for your order's current total, so nothing "
                    "was charged. Please pay again from your order.",
                )
        return redirect(order_access_path(payment.order) + "?payment=" + _returned(payment))
    return render(
        request,
        "orders/sandbox_pay.html",
        {"payment": payment, "order": payment.order, "order_url": order_access_path(payment.order)},
    )


def _returned(payment: Payment) -> str:
    payment.refresh_from_db(fields=["status"])
    return "cancelled" if payment.status == Payment.Status.CANCELLED else "returned"


@csrf_exempt
@require_POST
def stripe_webhook(request):
    try:
        stripe_webhook_handle(
            payload=request.body, signature=request.headers.get("Stripe-Signature")
        )
    except WebhookRejected as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain")
    except WebhookTooEarly as error:
        # Not 2xx, so that Stripe delivers the event again later.
        return HttpResponse(str(error), status=409, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
