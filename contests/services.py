import csv
import io
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from consent.models import email_normalize
from consent.purposes import Purpose, Source
from consent.services import consent_grant, subjects_get_or_create
from contests.models import POSTAL_ADDRESS_FIELDS, Contest, ContestEntry
from mail.services import address_confirmation_request
from privacy.models import Disclosure
from privacy.services import disclosure_record

EXPORT_COLUMNS = [
    ("entered_at", "Entered at (UTC)"),
    ("name", "Name"),
    ("email", "E-mail"),
    ("address_line1", "Address"),
    ("address_line2", "Address line 2"),
    ("city", "Town or city"),
    ("region", "State, province or region"),
    ("postal_code", "Postal code"),
    ("country", "Country"),
]
EXPORT_DATA_CATEGORIES = ["name", "e-mail address", "postal address", "contest entry"]


class NotExportable(Exception):
    """Entries go to a contest's co-sponsor only; this contest has none."""


def contest_enter(
    *,
    contest: Contest,
    name: str,
    email: str,
    address_line1: str = "",
    address_line2: str = "",
    city: str = "",
    region: str = "",
    postal_code: str = "",
    country: str = "",
    elections: Iterable[Purpose] = (),
    notice_version: int | None = None,
    site_partner=None,
    site_notice_version: int | None = None,
    user=None,
) -> tuple[ContestEntry, bool]:
    """Enter someone who confirmed the minimum age; return (entry, created).

    An address enters once: entering again changes the entry in nothing, and its
    ticks are recorded as a first entry's are, so that nothing tells a stranger
    whether that address has entered. The postal address is kept only when the
    contest's prize is posted (P3). The entry is the account's only when entered with
    the account's own address: one entered for someone else holds that person's data,
    which their download, their erasure and disclosures of it must find by address.
    """
    email = email_normalize(email)
    own = user is not None and email_normalize(user.email) == email
    postal_address = (
        {
            "address_line1": address_line1.strip(),
            "address_line2": address_line2.strip(),
            "city": city.strip(),
            "region": region.strip(),
            "postal_code": postal_code.strip(),
            "country": country.strip(),
        }
        if contest.prize_is_posted
        else {}
    )
    existing = ContestEntry.objects.filter(contest=contest, email=email).first()
    if existing is not None:
        with transaction.atomic():
            _entry_elections_record(entry=existing, user=user, elections=elections)
        return existing, False
    try:
        with transaction.atomic():
            entry = ContestEntry.objects.create(
                contest=contest,
                user=user if own else None,
                name=name.strip(),
                email=email,
                **postal_address,
                age_confirmed_at=timezone.now(),
                partner=contest.partner,
                notice_version=notice_version if contest.partner else None,
                site_partner=site_partner,
                site_notice_version=(
                    notice_version if site_partner == contest.partner else site_notice_version
                )
                if site_partner
                else None,
            )
            _entry_elections_record(entry=entry, user=user, elections=elections)
    except IntegrityError:
        # The same address entered at the same moment from another request.
        existing = ContestEntry.objects.get(contest=contest, email=email)
        with transaction.atomic():
            _entry_elections_record(entry=existing, user=user, elections=elections)
        return existing, False
    return entry, True


def _entry_elections_record(*, entry: ContestEntry, user, elections: Iterable[Purpose]) -> None:
    """The elections ticked on an entry. Signed in and entering with their own address,
    the person grants as the account holder; any other address waits for its owner's
    confirmation (one e-mail asks, at most one a day)."""
    elections = list(elections)
    own = user is not None and email_normalize(user.email) == entry.email
    for purpose in elections:
        consent_grant(
            user=user if own else None,
            email=None if own else entry.email,
            purpose=purpose,
            source=Source.CONTEST,
            evidence={"contest": entry.contest.slug, "entry": str(entry.public_id)},
        )
    if elections:
        address_confirmation_request(email=entry.email, occasion="entering a contest")


def _csv_cell(value) -> str:
    text = str(value)
    # Spreadsheets run cells starting like a formula; an entrant's text must stay text.
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def contest_entries_export(*, contest: Contest, by) -> str:
    """The CSV of a contest's entries for its co-sponsor (P8), recorded as a disclosure
    (P7) naming every entrant. Only entries made under that co-sponsor's notice; the
    postal address only when entrants gave one (a contest whose prize is not posted
    asks none)."""
    partner = contest.partner
    if partner is None:
        raise NotExportable(f"“{contest}” has no co-sponsor, so its entries go to nobody.")
    entries = list(
        ContestEntry.objects.filter(contest=contest, partner=partner)
        .select_related("user")
        .order_by("created_at", "id")
    )
    with_address = any(entry.address_line1 for entry in entries)
    columns = [
        (field, label)
        for field, label in EXPORT_COLUMNS
        if with_address or field not in POSTAL_ADDRESS_FIELDS
    ]
    with transaction.atomic():
        # An account holder's entry is shown on their My privacy page, also once they
        # have moved to another address.
        by_user, by_email = subjects_get_or_create(
            users=[entry.user for entry in entries if entry.user_id],
            emails=[entry.email for entry in entries if not entry.user_id],
        )
        disclosure_record(
            recipient=partner.name,
            data_categories=[
                category
                for category in EXPORT_DATA_CATEGORIES
                if with_address or category != "postal address"
            ],
            basis=Disclosure.Basis.CO_BRAND,
            reference=f"Contest “{contest.title}” ({contest.slug}): {len(entries)} entries",
            subjects={*by_user.values(), *by_email.values()},
            recorded_by=by,
        )
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow([label for _, label in columns])
    for entry in entries:
        values = {field: getattr(entry, field) for field, _ in columns[1:]}
        values["entered_at"] = entry.created_at.strftime("%Y-%m-%d %H:%M")
        writer.writerow([_csv_cell(values[field]) for field, _ in columns])
    return output.getvalue()
