"""Staff roles: the least-privilege table every staff group is kept in step with.

The groups are created by a data migration (accounts 0002). Each role maps to the
permissions it holds, as "app_label.codename". Apps add their models here as they
land; after every `migrate` the groups are made to match this table exactly
(permissions not listed are removed).
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

SUPPORT = "Support"
RESUME_WRITER = "Resume Writer"
MARKETING = "Marketing"
PRIVACY_OFFICER = "Privacy Officer"
ROLE_NAMES = (SUPPORT, RESUME_WRITER, MARKETING, PRIVACY_OFFICER)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    SUPPORT: frozenset(
        {
            "accounts.view_user",
            "consent.view_subject",
            "consent.view_consentevent",
            "assessments.view_instrument",
            "assessments.view_scale",
            "assessments.view_item",
            "assessments.view_occupation",
            "assessments.view_sitting",
            # Orders: read everything, change status only through the actions (services).
            "orders.view_order",
            "orders.view_orderline",
            "orders.view_orderevent",
            "orders.view_payment",
            "orders.refund_order",
            "orders.cancel_order",
            "orders.fulfil_order",
            # "I never got my receipt": to the order's own address, and only a paid one's.
            "orders.resend_receipt",
            "orders.view_product",
            "orders.view_softwarerelease",
            "orders.view_entitlement",
            "orders.view_webhookevent",
            "partners.view_partner",
            # Workflow only (status, writer); never the questionnaire or files.
            "resumes.view_resumeworkspace",
            "resumes.change_resumeworkspace",
            "resumes.assign_writer",
            # "I e-mailed remove, why do I still get mail?": support can look it up.
            "mail.view_inboundmessage",
        }
    ),
    # Only the resumes assigned to them (resumes.selectors.resume_workspaces_for_staff).
    RESUME_WRITER: frozenset({"resumes.view_resumeworkspace", "resumes.work_on_resume"}),
    MARKETING: frozenset(
        {
            "privacy.view_dailycount",
            "privacy.export_partner_report",
            "accounts.view_profile",
            "feedback.view_feedback",
            "feedback.change_feedback",
            "contests.view_contest",
            "contests.add_contest",
            "contests.change_contest",
            "contests.export_entries",
            "contests.view_contestentry",
            # The catalog: products, prices, bundles.
            "orders.view_product",
            "orders.add_product",
            "orders.change_product",
            # The builds of the software buyers download: seen, not added (a file every
            # buyer runs is added by an administrator only).
            "orders.view_softwarerelease",
            "mail.view_campaign",
            "mail.add_campaign",
            "mail.change_campaign",
            "mail.send_campaign",
            # Not mail.view_delivery: a campaign's counts are on its list; the deliveries
            # name every address and whether its election was granted or withdrawn.
        }
    ),
    PRIVACY_OFFICER: frozenset(
        {
            "accounts.view_user",
            # Carrying out erasure requests sent by e-mail or post: a job seeker's
            # account only, never a staff account or a superuser's
            # (accounts.selectors.account_erasable_by), with the erasure of "Delete my
            # account" (accounts.services.account_erase_for_staff).
            "accounts.delete_user",
            "consent.view_subject",
            "consent.view_consentevent",
            "privacy.view_policyversion",
            "privacy.add_policyversion",
            "privacy.change_policyversion",
            "privacy.view_disclosure",
            "privacy.add_disclosure",
            "privacy.view_staffaccess",
            "privacy.publish_policyversion",
            "privacy.view_serviceprovider",
            "privacy.add_serviceprovider",
            "privacy.change_serviceprovider",
            "privacy.delete_serviceprovider",
            "privacy.view_dailycount",
            # Files of deleted records that storage has not let go of yet.
            "privacy.view_filedeletion",
            "accounts.view_accounterasure",
            "assessments.view_instrument",
            "assessments.view_scale",
            "assessments.view_item",
            "assessments.view_sitting",
            # Answers and results of one person at a time; every use is logged (P11).
            "assessments.view_private_results",
            # Co-branding: exporting a partner's records is a disclosure (P7, P8).
            "partners.view_partner",
            "partners.view_cobrandedregistration",
            "partners.export_records",
            # Any resume's content and files; every look is in the staff access log.
            "resumes.view_resumeworkspace",
            "resumes.view_resume_content",
            "mail.view_inboundmessage",
            "mail.view_campaign",
            "mail.view_delivery",
        }
    ),
}


def _permissions_for(codes: frozenset[str]):
    query = Q(pk__in=[])
    for code in codes:
        app_label, codename = code.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(query)


def roles_sync() -> None:
    """Make every role's group hold exactly the permissions of ROLE_PERMISSIONS."""
    for group in Group.objects.filter(name__in=ROLE_NAMES):
        group.permissions.set(_permissions_for(ROLE_PERMISSIONS[group.name]))


def roles_sync_after_migrate(**kwargs) -> None:
    # Permissions are created app by app after migrate, so this runs after each app
    # and the last run sees them all.
    roles_sync()
