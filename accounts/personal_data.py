"""The account's own data: who the person is, their addresses, their optional
"help us improve" answers (P6), their sessions and their data-export requests."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from accounts.models import DATA_EXPORT_STORAGE, DataExport, Profile
from accounts.services import user_sessions_end
from privacy.services import stored_files_delete


def export(user) -> dict:
    profile = Profile.objects.filter(user=user).first()
    return {
        "account": {
            "email": user.email,
            "name": user.name,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "age_confirmed_at": user.age_confirmed_at,
        },
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "help_us_improve": {
            "interests": profile.interests,
            "site_likes": profile.site_likes,
            "site_dislikes": profile.site_dislikes,
            "job_types": profile.get_job_types_display(),
            "job_titles": profile.job_titles,
            "updated_at": profile.updated_at,
        }
        if profile
        else None,
        "sessions": [
            {
                "signed_in_at": s.created_at,
                "last_seen_at": s.last_seen_at,
                "ip_address": s.ip,
                "browser": s.user_agent,
            }
            for s in UserSession.objects.filter(user=user).order_by("created_at")
        ],
        "two_factor_methods": [
            {
                "type": str(a.get_type_display()),
                "created_at": a.created_at,
                "last_used_at": a.last_used_at,
            }
            for a in Authenticator.objects.filter(user=user).order_by("created_at")
        ],
        "data_exports": [
            {
                "requested_at": e.requested_at,
                "status": e.get_status_display(),
                "ready_at": e.ready_at,
                "expires_at": e.expires_at,
            }
            for e in DataExport.objects.filter(user=user).order_by("requested_at")
        ],
    }


def erase(user) -> None:
    Profile.objects.filter(user=user).delete()
    files = list(
        DataExport.objects.filter(user=user)
        .exclude(file_name="")
        .values_list("file_name", flat=True)
    )
    DataExport.objects.filter(user=user).delete()
    stored_files_delete(storage=DATA_EXPORT_STORAGE, names=files)
    user_sessions_end(sessions=UserSession.objects.filter(user=user))
    _admin_history_forget(user)


def _admin_history_forget(user) -> None:
    """The admin's history of changes staff made to the account names it as it was
    shown, by its address (and an added address by itself): it keeps the entries, for
    the record of what staff did, under the account's number only."""
    addresses = EmailAddress.objects.filter(user=user).values_list("pk", flat=True)
    for model, ids in ((get_user_model(), [user.pk]), (EmailAddress, list(addresses))):
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=[str(pk) for pk in ids],
        ).update(object_repr=f"erased account #{user.pk}", change_message="")
