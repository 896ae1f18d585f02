import uuid

from django.conf import settings
from django.db import models


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
    currency = models.CharField(max_length=3, default="USD")
    active = models.BooleanField(default=True)
    components = models.ManyToManyField(
        "self", symmetrical=False, blank=True, help_text="For bundles: the products included."
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


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

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Order {self.public_id.hex[:8]}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    product_name = models.CharField(max_length=120)
    unit_price_minor = models.PositiveIntegerField()
    quantity = models.PositiveSmallIntegerField(default=1)
    # Only for software: the computer the download is for (the only place it is asked).
    computer_type = models.CharField(max_length=20, blank=True)

    def __str__(self):
        return f"{self.quantity} x {self.product_name}"


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
