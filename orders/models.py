import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone

from careerperfect.append_only import AppendOnlyModel


class Currency(models.TextChoices):
    """The currencies a price can be in: ISO 4217 codes whose minor unit the site knows
    (orders.templatetags.money), so that an amount shown is the amount charged."""

    USD = "USD", "US dollar"
    CAD = "CAD", "Canadian dollar"
    AUD = "AUD", "Australian dollar"
    EUR = "EUR", "Euro"
    GBP = "GBP", "Pound sterling"
    JPY = "JPY", "Japanese yen"
    KRW = "KRW", "South Korean won"


class Product(models.Model):
    class Kind(models.TextChoices):
        RESUME_PACKAGE = "resume_package", "Resume writing package"
        COVER_LETTER = "cover_letter", "Cover letter"
        SOFTWARE = "software", "Career-planning software"
        BUNDLE = "bundle", "Bundle"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    summary = models.CharField(max_length=250)
    description = models.TextField()
    # Prices are integers in the currency's minor unit (cents).
    price_minor = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.USD)
    active = models.BooleanField(default=True)
    components = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        limit_choices_to=~models.Q(kind=Kind.BUNDLE),
        help_text="For bundles: the products included (not bundles).",
    )
    sort_order = models.PositiveSmallIntegerField(default=0)
    # Checkout asks for a phone number or a postal address only when a product in the
    # cart gives a reason for it, and shows that reason next to the field (P3).
    phone_reason = models.CharField(
        max_length=200,
        blank=True,
        help_text="Only if this product needs the buyer's phone number: why, in a sentence "
        "shown at checkout (e.g. the package includes a call with the writer).",
    )
    postal_address_reason = models.CharField(
        max_length=200,
        blank=True,
        help_text="Only if this product needs a postal address: why, in a sentence shown "
        "at checkout (e.g. printed copies are mailed).",
    )

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class ComputerType(models.TextChoices):
    """The computers the career-planning software is made for."""

    WINDOWS = "windows", "Windows PC"
    MAC = "mac", "Mac"
    LINUX = "linux", "Linux PC"


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting payment"
        PAID = "paid", "Paid"
        FULFILLED = "fulfilled", "Fulfilled"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"
        PAYMENT_FAILED = "payment_failed", "Payment failed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    email = models.EmailField()
    name = models.CharField(max_length=150)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    currency = models.CharField(max_length=3, default="USD")
    total_minor = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    # Asked only when a product in the order needs them (Product.*_reason).
    phone = models.CharField(max_length=40, blank=True)
    address_line1 = models.CharField("address", max_length=200, blank=True)
    address_line2 = models.CharField("address (line 2)", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField("state or region", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=100, blank=True)
    # P15: when the buyer confirmed the minimum age (at checkout, or at signup).
    age_confirmed_at = models.DateTimeField(null=True, blank=True)
    # P8: the co-branding partner whose pages the order was placed on, and the version
    # of the co-brand notice the buyer was shown there.
    partner = models.ForeignKey(
        "partners.Partner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    partner_notice_version = models.PositiveIntegerField(null=True, blank=True)
    # The checkout form's one-time key: the same form sent twice places one order.
    checkout_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["checkout_key"], name="one_order_per_checkout_key")
        ]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            # Guest orders are found by address ignoring case (email__iexact).
            models.Index(Upper("email"), name="orders_order_email_upper"),
        ]
        permissions = [
            ("refund_order", "Can refund a paid order"),
            ("cancel_order", "Can cancel an unpaid order"),
            ("fulfil_order", "Can mark a paid order fulfilled"),
            ("resend_receipt", "Can e-mail a paid order's receipt again"),
        ]

    def __str__(self):
        return f"Order {self.reference}"

    @property
    def reference(self) -> str:
        """The short order number shown to people (the start of the public id)."""
        return self.public_id.hex[:8].upper()

    @property
    def has_postal_address(self) -> bool:
        return bool(self.address_line1)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    product_name = models.CharField(max_length=120)
    unit_price_minor = models.PositiveIntegerField()
    quantity = models.PositiveSmallIntegerField(default=1)
    # Only for software: the computer the download is for (the only place it is asked).
    computer_type = models.CharField(max_length=20, blank=True, choices=ComputerType.choices)
    # What paying for the line unlocks, as its product was when ordered: the product, or
    # a bundle's products then. A bundle changed before payment changes no placed order.
    parts = models.ManyToManyField(Product, through="OrderLinePart", related_name="+")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.quantity} x {self.product_name}"

    @property
    def total_minor(self) -> int:
        return self.unit_price_minor * self.quantity


class OrderLinePart(models.Model):
    """One product an order line unlocks (see OrderLine.parts). The product is kept as
    long as a line was ordered with it."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["line", "product"], name="each_part_once_per_line")
        ]

    def __str__(self):
        return f"{self.product} in {self.line.order}"


class Entitlement(models.Model):
    """What a paid order line unlocks: the hand-over from orders to resumes and
    assessments. Created when an order is paid; revoked on refund."""

    class Kind(models.TextChoices):
        RESUME_WRITING = "resume_writing", "Resume writing"
        COVER_LETTER = "cover_letter", "Cover letter writing"
        ASSESSMENTS = "assessments", "Career assessments"
        SOFTWARE_DOWNLOAD = "software_download", "Software download"

    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="entitlements")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entitlements",
        help_text="Empty for a guest order until the buyer signs up with its address.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What unlocks it: the line's product, or the bundle's part it comes from as the
    # bundle was when paid for. A bundle changed later (or its part deleted) would
    # otherwise take away what was bought, e.g. the software to download.
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["order_line", "kind"], name="one_entitlement_per_line_and_kind"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.order_line.order})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class SoftwareRelease(models.Model):
    """A build of a software product for one kind of computer. Buyers of the product
    download the newest published build for the computer they named at checkout; the
    file is private (no URL), served only to them."""

    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        related_name="releases",
        limit_choices_to={"kind": Product.Kind.SOFTWARE},
    )
    computer_type = models.CharField(max_length=20, choices=ComputerType.choices)
    version = models.CharField(max_length=40)
    download_name = models.CharField(
        max_length=200,
        help_text="The file name buyers' browsers save it as, e.g. careerperfect-planner-2.1.dmg.",
    )
    published = models.BooleanField(
        default=True, help_text="Unpublished builds are kept but no longer handed out."
    )
    # Set from the uploaded file, never typed.
    storage_name = models.CharField(max_length=200, editable=False)
    size = models.PositiveBigIntegerField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.product.name} {self.version} for {self.get_computer_type_display()}"


class Payment(models.Model):
    """One attempt to pay an order at the payment provider's hosted page (P12).

    Card numbers never reach us: only the provider's references, the card brand and
    last four digits it reports, the amount, the currency and the status are kept.
    """

    class Provider(models.TextChoices):
        SANDBOX = "sandbox", "Sandbox (no real payment)"
        STRIPE = "stripe", "Stripe Checkout"

    class Status(models.TextChoices):
        STARTED = "started", "Started"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"
        # Paid at the provider, but refused here (it did not match the order, or the
        # order could no longer take it): staff refund it there.
        REJECTED = "rejected", "Refused: refund it at the provider"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    # The provider's id of the hosted payment page (a Stripe Checkout Session).
    reference = models.CharField(max_length=255)
    # The provider's id of the payment itself (a Stripe PaymentIntent), once known.
    payment_reference = models.CharField(max_length=255, blank=True)
    brand = models.CharField(max_length=30, blank=True)
    last4 = models.CharField("last 4 digits", max_length=4, blank=True)
    amount_minor = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.STARTED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "reference"], name="one_payment_per_provider_reference"
            )
        ]
        indexes = [models.Index(fields=["provider", "payment_reference"])]

    def __str__(self):
        return f"{self.get_provider_display()} {self.reference}"


class OrderEvent(AppendOnlyModel):
    """One change of an order's status: the audit trail and the buyer's timeline.

    Written only by orders.services.order_transition; never changed or deleted.
    """

    class Source(models.TextChoices):
        BUYER = "buyer", "The buyer"
        STAFF = "staff", "CareerPerfect staff"
        PROVIDER = "provider", "The payment provider"
        SYSTEM = "system", "CareerPerfect"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=20, blank=True, choices=Order.Status.choices)
    to_status = models.CharField(max_length=20, choices=Order.Status.choices)
    source = models.CharField(max_length=20, choices=Source.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The signed-in person who made the change, if any.",
    )
    reason = models.CharField(max_length=300)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.order}: {self.from_status or 'new'} → {self.to_status}"


class WebhookEvent(models.Model):
    """A provider's webhook event we have handled, so that a redelivery has no effect.

    Only the event's id, type and our outcome are kept, never its payload.
    """

    class Outcome(models.TextChoices):
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored (nothing to do)"
        REJECTED = "rejected", "Rejected (does not match our records)"

    provider = models.CharField(max_length=20, choices=Payment.Provider.choices)
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=100)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    detail = models.CharField(max_length=300, blank=True)
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.PROTECT, related_name="webhook_events"
    )
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="one_webhook_event_per_id"
            )
        ]

    def __str__(self):
        return f"{self.provider} {self.event_type} {self.event_id}"
