"""Alice with one of everything a person can own on the site, made through the apps'
own services and factories; bob, a stranger with a little of his own; and the public
things (a product, an open contest). The access walker and the form fuzzer use it."""

import re
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import DataExport, User
from accounts.roles import RESUME_WRITER
from accounts.services import data_export_build, data_export_request, profile_update
from accounts.tests.factories import PASSWORD, UserFactory
from assessments.models import Sitting
from assessments.tests.factories import VALUES, sitting_answered, sitting_scored
from consent.purposes import Purpose, Source
from consent.services import consent_grant
from contests.models import Contest, ContestEntry
from contests.services import contest_enter
from contests.tests.factories import ContestFactory
from feedback.models import Feedback
from feedback.services import feedback_submit, feedback_withdraw_token
from mail.models import Campaign, Delivery, InboundMessage, OutboundMessage
from mail.services import (
    KEEP_SUBSCRIBED_SALT,
    address_confirmation_request,
    campaign_create,
    campaign_fan_out,
    campaign_schedule,
    campaigns_dispatch_due,
    delivery_unsubscribe_url,
    inbound_message_process,
)
from orders.models import ComputerType, Entitlement, Order, Payment, Product
from orders.payments import payment_start
from orders.providers import sandbox_token
from orders.selectors import order_access_token
from orders.services import software_release_add
from orders.tests.factories import ProductFactory, paid_entitlement, placed_order, sandbox_paid
from resumes.models import DisclosureAuthorization, ResumeFile, ResumeSend, ResumeWorkspace
from resumes.services import (
    SHARE_LINK_SALT,
    questionnaire_step_save,
    questionnaire_submit,
    resume_approve,
    resume_draft_upload,
    resume_file_upload,
    resume_share,
)
from resumes.tests.factories import pdf_bytes, staff_member, workspace_open
from resumes.tests.factories import workspace_with_draft as resume_with_draft

ALICE_EMAIL = "alice@example.com"
# Shown on the pages of her things: a response that carries it shows her data.
ALICE_NAME = "Alice Avery"
SOFTWARE_BUILD = b"planner build 1.0 for Windows"


@dataclass
class Belongings:
    alice: User
    bob: User
    # A second signed-in browser of alice's (the walker's own client is a third).
    other_session: UserSession
    data_export: DataExport
    feedback: Feedback
    sitting_in_progress: Sitting
    sitting_scored: Sitting
    sitting_delayed: Sitting
    order: Order
    order_payment: Payment
    guest_order: Order
    # Paid software orders whose build can be downloaded: alice's, her guest one, bob's.
    software_order: Order
    guest_software_order: Order
    bob_software_order: Order
    resume_open: ResumeWorkspace
    resume_with_draft: ResumeWorkspace
    resume_delivered: ResumeWorkspace
    resume_upload: ResumeFile
    authorization: DisclosureAuthorization
    resume_send: ResumeSend
    unconfirmed_email: EmailAddress
    contest_entry: ContestEntry
    bob_resume: ResumeWorkspace
    product: Product
    software: Product
    contest: Contest
    removal: InboundMessage
    delivery: Delivery
    address_request: OutboundMessage

    # --- Capability tokens: each lets whoever holds it do one thing -----------------

    @property
    def order_link_token(self) -> str:
        return order_access_token(self.guest_order)

    @property
    def guest_software_link_token(self) -> str:
        return order_access_token(self.guest_software_order)

    @property
    def sandbox_token(self) -> str:
        return sandbox_token(self.order_payment)

    @property
    def feedback_withdraw_token(self) -> str:
        return feedback_withdraw_token(feedback=self.feedback)

    @property
    def shared_file_token(self) -> str:
        return signing.dumps(self.resume_send.pk, salt=SHARE_LINK_SALT)

    @property
    def unsubscribe_token(self) -> str:
        return delivery_unsubscribe_url(delivery_id=self.delivery.pk).rstrip("/").rsplit("/", 1)[1]

    @property
    def keep_subscribed_token(self) -> str:
        return signing.dumps(self.removal.pk, salt=KEEP_SUBSCRIBED_SALT)

    @property
    def address_confirm_token(self) -> str:
        return re.search(r"/mail/confirm-address/([^/\s]+)/", self.address_request.text).group(1)

    @property
    def email_confirmation_key(self) -> str:
        return EmailConfirmationHMAC(self.unconfirmed_email).key

    @property
    def password_reset(self) -> dict:
        return {
            "uidb36": user_pk_to_url_str(self.alice),
            "key": default_token_generator.make_token(self.alice),
        }


def _signed_in_elsewhere(user) -> UserSession:
    response = Client(HTTP_USER_AGENT="AlicePhone/1.0").post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302, "alice could not sign in"
    return UserSession.objects.get(user=user, user_agent="AlicePhone/1.0")


def belongings_create() -> Belongings:
    alice = UserFactory(email=ALICE_EMAIL, name=ALICE_NAME, age_confirmed_at=timezone.now())
    bob = UserFactory(email="bob@example.com", name="Bob Stranger")
    writer = staff_member(RESUME_WRITER, email="writer@example.com")
    product = ProductFactory(kind=Product.Kind.RESUME_PACKAGE, slug="essentials")
    software = ProductFactory(kind=Product.Kind.SOFTWARE, slug="planner", price_minor=4900)
    contest = ContestFactory(slug="summer-draw")

    consent_grant(user=alice, purpose=Purpose.RESUME_DISCLOSURE, source=Source.PREFERENCES)
    profile_update(user=alice, interests="Nursing", job_titles="Ward sister")

    # Resume work in three states: open (questionnaire and upload), a draft to review,
    # and delivered with her own upload and a recipient she authorized.
    resume_open = workspace_open(owner=alice, writer=writer)
    resume_draft = resume_with_draft(owner=alice, writer=writer)
    resume_delivered = workspace_open(owner=alice, writer=writer)
    upload = resume_file_upload(
        workspace=resume_delivered, actor=alice, name="mine.txt", data=b"Alice Avery, nurse\n"
    )
    resume_delivered = workspace_delivered_from(resume_delivered, writer=writer)
    send, _ = resume_share(
        workspace=resume_delivered,
        actor=alice,
        recipient_name="Acme hiring",
        recipient_email="hr@acme.example",
    )

    # Assessments: one in progress, one scored, one whose scoring is delayed.
    paid_entitlement(user=alice, kind=Entitlement.Kind.ASSESSMENTS)
    scored = sitting_scored(alice)
    delayed = sitting_answered(alice, code=VALUES)
    Sitting.objects.filter(pk=delayed.pk).update(
        status=Sitting.Status.DELAYED, submitted_at=timezone.now()
    )
    delayed.refresh_from_db()
    in_progress = sitting_answered(alice)

    order = placed_order(product, user=alice)
    payment_start(order=order, return_url="", cancel_url="", actor=alice)
    guest_order = placed_order(product, email="alice.guest@example.com", name=ALICE_NAME)
    # Marketing ticked at that guest checkout: the address waits for its confirmation.
    consent_grant(
        email="alice.guest@example.com", purpose=Purpose.MARKETING, source=Source.CHECKOUT
    )
    address_request = address_confirmation_request(
        email="alice.guest@example.com", occasion="placing an order"
    )
    software_release_add(
        product=software,
        computer_type=ComputerType.WINDOWS,
        version="1.0",
        download_name="planner-1.0.exe",
        file=ContentFile(SOFTWARE_BUILD, name="build"),
    )
    software_order = placed_order(software, user=alice)
    guest_software_order = placed_order(software, email="alice.guest@example.com")
    bob_software_order = placed_order(software, user=bob)
    for paid in (software_order, guest_software_order, bob_software_order):
        sandbox_paid(paid)

    feedback = feedback_submit(
        user=alice, body="My writer was great.", publish=True, display_name="Alice, Leeds"
    )
    entry, _ = contest_enter(
        contest=contest,
        user=alice,
        name=ALICE_NAME,
        email=ALICE_EMAIL,
        address_line1="1 High Street",
        city="Leeds",
        postal_code="LS1 1AA",
        country="United Kingdom",
    )
    export = data_export_request(user=alice)
    data_export_build(export_id=export.pk)
    export.refresh_from_db()

    # Mail: her "remove" e-mail, then a newer opt-in to site updates, and the
    # site-update campaign that reached her since.
    removal = inbound_message_process(
        raw=(
            f"From: Alice <{ALICE_EMAIL}>\r\nTo: {settings.CONTACT_EMAIL}\r\n"
            "Subject: remove\r\nMessage-ID: <walker-remove@example.com>\r\n\r\nStop.\r\n"
        ).encode(),
        source=InboundMessage.Source.FILE,
        received_at=timezone.now() - timedelta(hours=1),
    )
    consent_grant(user=alice, purpose=Purpose.SITE_UPDATES, source=Source.PREFERENCES)
    campaign = campaign_schedule(
        campaign=campaign_create(
            kind=Campaign.Kind.SITE_UPDATES, subject="What is new", body_markdown="News."
        )
    )
    campaigns_dispatch_due()
    campaign_fan_out(campaign_id=campaign.pk)

    other_session = _signed_in_elsewhere(alice)
    alice.refresh_from_db()  # signing in changed her last_login, part of reset tokens
    return Belongings(
        alice=alice,
        bob=bob,
        other_session=other_session,
        data_export=export,
        feedback=feedback,
        sitting_in_progress=in_progress,
        sitting_scored=scored,
        sitting_delayed=delayed,
        order=order,
        order_payment=order.payments.get(),
        guest_order=guest_order,
        software_order=software_order,
        guest_software_order=guest_software_order,
        bob_software_order=bob_software_order,
        resume_open=resume_open,
        resume_with_draft=resume_draft,
        resume_delivered=resume_delivered,
        resume_upload=upload,
        authorization=send.authorization,
        resume_send=send,
        unconfirmed_email=EmailAddress.objects.create(
            user=alice, email="alice.work@example.com", verified=False, primary=False
        ),
        contest_entry=entry,
        bob_resume=workspace_open(owner=bob),
        product=product,
        software=software,
        contest=contest,
        removal=removal,
        delivery=Delivery.objects.get(campaign=campaign, email=ALICE_EMAIL),
        address_request=address_request,
    )


def workspace_delivered_from(workspace: ResumeWorkspace, *, writer) -> ResumeWorkspace:
    """Take an open workspace through questionnaire, draft and approval."""
    questionnaire_step_save(
        workspace=workspace, step=1, answers={"target_job": "Ward sister", "industry": "Health"}
    )
    questionnaire_step_save(workspace=workspace, step=4, answers={"skills": "Triage"})
    workspace = questionnaire_submit(workspace=workspace, actor=workspace.owner)
    draft = resume_draft_upload(
        workspace=workspace, writer=writer, name="draft.pdf", data=pdf_bytes("Alice Avery")
    )
    workspace.refresh_from_db()
    return resume_approve(workspace=workspace, actor=workspace.owner, draft=draft)


def private_storage_in(settings, folder) -> None:
    """Keep a test's private files (uploads, drafts) in a folder of its own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {**settings.STORAGES["private"], "OPTIONS": {"location": str(folder)}},
    }
    settings.PRIVATE_MEDIA_ACCEL_REDIRECT = ""
