from django.conf import settings
from django.utils import timezone

from accounts.models import DataExport, Profile
from accounts.user_agents import user_agent_label

RECENT_EXPORTS = 5


def profile_for_user(*, user) -> Profile | None:
    return Profile.objects.filter(user=user).first()


def user_sessions_for(*, user) -> list:
    """The person's signed-in sessions, newest first, leaving out ones already over."""
    from allauth.usersessions.models import UserSession

    sessions = UserSession.objects.filter(user=user).order_by("-created_at")
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db":
        from django.contrib.sessions.models import Session

        live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
        sessions = sessions.filter(session_key__in=live)
    return list(sessions)


def data_exports_recent(*, user) -> list[DataExport]:
    return list(DataExport.objects.filter(user=user)[:RECENT_EXPORTS])


def privacy_dashboard_data_rights(*, user, session_key: str | None) -> dict:
    """What the sessions and data-rights sections of My privacy show."""
    sessions = user_sessions_for(user=user)
    for session in sessions:
        session.is_this_one = session.session_key == session_key
        session.browser = user_agent_label(session.user_agent)
    exports = data_exports_recent(user=user)
    now = timezone.now()
    for export in exports:
        export.downloadable = export.is_downloadable(now=now)
    return {
        "user_sessions": sessions,
        "other_sessions": sum(not s.is_this_one for s in sessions),
        "data_exports": exports,
        "data_export_in_progress": next((e for e in exports if e.in_progress), None),
        "data_export_expiry_days": settings.DATA_EXPORT_EXPIRY_DAYS,
    }
