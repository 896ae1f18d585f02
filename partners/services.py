"""Co-branding partners: their notice, the records made on their pages, and exports."""

import csv
import io
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from partners.models import CoBrandedRegistration, Partner

# Changing these changes what the co-brand notice says, so the notice gets a new version.
NOTICE_FIELDS = ("name", "privacy_policy_url")


def host_cache_forget(*, hosts: Iterable[str]) -> None:
    """Forget the cached host → partner lookups of these hosts once the change being
    made is committed (at once outside a transaction): until then a page would still
    find, and cache again, what the database holds."""
    from partners.selectors import host_cache_key

    keys = [host_cache_key(host) for host in set(hosts)]
    transaction.on_commit(lambda: cache.delete_many(keys))


def partner_cache_clear(*, partner: Partner, former_hosts: Iterable[str] = ()) -> None:
    """Forget the cached lookups of a partner's hosts (and of hosts it just gave up)."""
    host_cache_forget(hosts={*partner.hosts.values_list("host", flat=True), *former_hosts})


def partner_save(*, partner: Partner, changed_fields: list[str]) -> Partner:
    """Save a partner edited by staff; a change to what the notice says raises its
    version, so that every record keeps saying which notice its author saw (P8)."""
    with transaction.atomic():
        if partner.pk and set(changed_fields) & set(NOTICE_FIELDS):
            partner.notice_version = (
                Partner.objects.select_for_update().get(pk=partner.pk).notice_version + 1
            )
        partner.save()
        partner_cache_clear(partner=partner)
    return partner


def partner_delete(*, partner: Partner) -> None:
    """Delete a partner (and its hosts) that no record refers to: its hosts are the
    main site's again at once, rather than a partner no longer there for as long as
    the lookup is cached (a record made there would refer to it, and fail)."""
    with transaction.atomic():
        hosts = list(partner.hosts.values_list("host", flat=True))
        partner.delete()
        host_cache_forget(hosts=hosts)


def co_brand_registration_record(*, user, partner: Partner | None) -> CoBrandedRegistration | None:
    """Note that an account was created on a partner's pages: the partner, the notice
    version shown, and the name and address entered there. Nothing on the main site."""
    if partner is None:
        return None
    return CoBrandedRegistration.objects.create(
        partner=partner,
        user=user,
        notice_version=partner.notice_version,
        email=user.email,
        name=user.name,
    )


EXPORT_COLUMNS = [
    "record",
    "reference",
    "created_at",
    "notice_version",
    "name",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
    "products",
]


def _cell(value) -> str:
    text = str(value)
    # A spreadsheet would run a cell starting like a formula; quote it as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def partner_records_export(*, partner: Partner, staff) -> str:
    """The records created on a partner's pages, as CSV: registrations, orders and
    contest entries, with only the fields entered there. Recorded as a disclosure to the
    partner first (P7)."""
    from consent.services import subjects_get_or_create
    from orders.models import Order
    from privacy.models import Disclosure
    from privacy.services import disclosure_record

    registrations = list(partner.registrations.select_related("user"))
    # Orders anonymised after an account was deleted have nothing left to give.
    orders = list(
        Order.objects.filter(partner=partner)
        .exclude(email="")
        .select_related("user")
        .prefetch_related("lines")
        .order_by("created_at", "id")
    )
    rows = [
        {
            "record": "registration",
            "reference": f"R{registration.pk}",
            "created_at": registration.created_at.isoformat(),
            "notice_version": registration.notice_version,
            "name": registration.name,
            "email": registration.email,
        }
        for registration in registrations
    ]
    entries = list(
        partner.contest_entries.select_related("contest", "user").order_by("created_at", "id")
    )
    rows += [
        {
            "record": "contest entry",
            "reference": f"{entry.contest.slug} E{entry.pk}",
            "created_at": entry.created_at.isoformat(),
            "notice_version": entry.site_notice_version,
            "name": entry.name,
            "email": entry.email,
            "address_line1": entry.address_line1,
            "address_line2": entry.address_line2,
            "city": entry.city,
            "region": entry.region,
            "postal_code": entry.postal_code,
            "country": entry.country,
        }
        for entry in entries
    ]
    for order in orders:
        rows.append(
            {
                "record": "order",
                "reference": order.reference,
                "created_at": order.created_at.isoformat(),
                "notice_version": order.partner_notice_version,
                "name": order.name,
                "email": order.email,
                "phone": order.phone,
                "address_line1": order.address_line1,
                "address_line2": order.address_line2,
                "city": order.city,
                "region": order.region,
                "postal_code": order.postal_code,
                "country": order.country,
                "products": "; ".join(
                    line.product_name
                    + (f" ({line.get_computer_type_display()})" if line.computer_type else "")
                    for line in order.lines.all()
                ),
            }
        )
    categories = {"name", "e-mail address"} if rows else set()
    if any(order.phone for order in orders):
        categories.add("phone number")
    # An entry in a contest whose prize is not posted has no postal address.
    if any(record.address_line1 for record in [*entries, *orders]):
        categories.add("postal address")
    if entries:
        # The reference names the contest: that the person entered it is disclosed too.
        categories.add("contest entry")
    if orders:
        categories.add("products ordered")
    with transaction.atomic():
        records = [*registrations, *entries, *orders]
        by_user, by_email = subjects_get_or_create(
            users=[record.user for record in records if record.user_id],
            emails=[record.email for record in records if not record.user_id],
        )
        disclosure_record(
            recipient=partner.name,
            data_categories=categories,
            basis=Disclosure.Basis.CO_BRAND,
            reference=f"Co-branded records export, {partner.slug}, "
            f"{timezone.now():%Y-%m-%d %H:%M} UTC, {len(rows)} records",
            subjects={*by_user.values(), *by_email.values()},
            recorded_by=staff,
        )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, restval="")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return buffer.getvalue()
