"""Demo catalog, and paid orders for the demo job seeker so that resume work and
assessments can be tried at once."""

import io
import zipfile

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.demo import JOB_SEEKER_EMAIL
from accounts.models import User
from orders.cart import CartLine
from orders.models import ComputerType, Order, Product
from orders.payments import payment_succeed
from orders.providers import SandboxProvider
from orders.services import order_create, software_release_add
from partners.models import Partner

PARTNER_GUEST_EMAIL = "casey.guest@example.com"

PRODUCTS = [
    {
        "slug": "resume-essentials",
        "kind": Product.Kind.RESUME_PACKAGE,
        "name": "Resume: Essentials",
        "summary": "A new one-page resume written by a professional writer, with one round "
        "of revisions.",
        "description": "Tell us about your work so far in a short questionnaire, or upload "
        "the resume you have. A writer assigned to you drafts a resume aimed at the job you "
        "want next.\n\nYou read the draft online and ask for one round of changes. The "
        "final resume is yours as a Word file and a PDF.",
        "price_minor": 9900,
        "sort_order": 10,
    },
    {
        "slug": "resume-professional",
        "kind": Product.Kind.RESUME_PACKAGE,
        "name": "Resume: Professional",
        "summary": "A resume of up to two pages, a 30-minute call with your writer and "
        "revisions until you approve it.",
        "description": "For people with a few jobs behind them. Your writer calls you for "
        "half an hour to learn what you did and what you want, then drafts a resume of up "
        "to two pages.\n\nAsk for changes as often as you need until you approve it.",
        "price_minor": 17900,
        "sort_order": 20,
        "phone_reason": "Your writer calls you for the 30-minute interview included in "
        "the Professional package.",
    },
    {
        "slug": "resume-executive",
        "kind": Product.Kind.RESUME_PACKAGE,
        "name": "Resume: Executive",
        "summary": "Senior writer, an hour-long call, unlimited revisions and ten printed "
        "copies on heavy paper.",
        "description": "A senior writer who has worked with executive recruiters interviews "
        "you for an hour and writes a resume that leads with your results.\n\nRevisions "
        "until you approve it, then ten printed copies on heavy cream paper mailed to you.",
        "price_minor": 29900,
        "sort_order": 30,
        "phone_reason": "Your writer calls you for the hour-long interview included in the "
        "Executive package.",
        "postal_address_reason": "We mail the ten printed copies of your Executive resume here.",
    },
    {
        "slug": "cover-letter",
        "kind": Product.Kind.COVER_LETTER,
        "name": "Cover letter",
        "summary": "A cover letter for the kind of job you are applying for, in the voice "
        "of your resume.",
        "description": "Tell us about the job you want and your writer drafts a letter you "
        "can adapt to each application. One round of revisions included.",
        "price_minor": 5900,
        "sort_order": 40,
    },
    {
        "slug": "career-planner",
        "kind": Product.Kind.SOFTWARE,
        "name": "Career-planning software",
        "summary": "Software for your computer plus online career assessments with private "
        "results.",
        "description": "Download the planner for Windows, Mac or Linux to map out your next "
        "steps, and take the included career assessments online. Your results show the "
        "kinds of work that fit your interests; only you see them.",
        "price_minor": 4900,
        "sort_order": 50,
    },
]

BUNDLE = {
    "slug": "career-starter-bundle",
    "kind": Product.Kind.BUNDLE,
    "name": "Career starter bundle",
    "summary": "Professional resume, cover letter and the career-planning software, for "
    "less than the three apart.",
    "description": "Everything to start a job search well: the Professional resume "
    "package with its call, a cover letter in the same voice, and the career-planning "
    "software with its assessments.",
    "price_minor": 24900,
    "sort_order": 60,
}
BUNDLE_PARTS = ["resume-professional", "cover-letter", "career-planner"]


def _product(data: dict) -> Product:
    product, _ = Product.objects.get_or_create(slug=data["slug"], defaults=data)
    return product


def _paid_order(seeker: User, product: Product, computer_type: str = "") -> None:
    if Order.objects.filter(user=seeker, lines__product=product).exists():
        return
    order = order_create(
        lines=[CartLine(product=product, computer_type=computer_type)],
        user=seeker,
        name=seeker.name,
        email=seeker.email,
        phone="555-0100" if product.phone_reason else "",
        age_confirmed_at=seeker.age_confirmed_at or timezone.now(),
    )
    _pay(order)


def _partner_guest_order(product: Product) -> None:
    # A guest order on a partner's pages, so that the partner export has a record.
    partner = Partner.objects.filter(slug="monster").first()
    if partner is None or Order.objects.filter(email=PARTNER_GUEST_EMAIL).exists():
        return
    order = order_create(
        lines=[CartLine(product=product)],
        name="Casey Rivera",
        email=PARTNER_GUEST_EMAIL,
        age_confirmed_at=timezone.now(),
        partner=partner,
    )
    _pay(order)


def _demo_builds(software: Product) -> None:
    """Stand-ins for the software's builds, one per kind of computer: small ZIP files
    that say what they are (in production staff upload the real builds in the admin)."""
    if software.releases.exists():
        return
    for computer_type, label in ComputerType.choices:
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zip_file:
            zip_file.writestr(
                "README.txt",
                f"CareerPerfect Planner, demo build for {label}.\n\n"
                "This archive stands in for the installer on the demo site. On the real "
                "site, staff upload each build in the admin (Orders > Software releases) "
                "and buyers download the one for the computer they named at checkout.\n",
            )
        software_release_add(
            product=software,
            computer_type=computer_type,
            version="1.0-demo",
            download_name=f"careerperfect-planner-1.0-demo-{computer_type}.zip",
            file=ContentFile(archive.getvalue(), name="build.zip"),
        )


def _pay(order: Order) -> None:
    payment, _ = SandboxProvider().start(order=order, return_url="", cancel_url="")
    payment_succeed(payment=payment, amount_minor=order.total_minor, currency=order.currency)


def seed() -> list[tuple[str, str]]:
    products = {data["slug"]: _product(data) for data in PRODUCTS}
    bundle = _product(BUNDLE)
    if not bundle.components.exists():
        bundle.components.set([products[slug] for slug in BUNDLE_PARTS])

    _demo_builds(products["career-planner"])

    seeker = User.objects.get(email=JOB_SEEKER_EMAIL)
    _paid_order(seeker, products["resume-professional"])
    _paid_order(seeker, products["career-planner"], computer_type=ComputerType.WINDOWS)
    _partner_guest_order(products["cover-letter"])
    return []
