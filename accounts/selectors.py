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

    # Written in SQL: My privacy reads it on every view, and building the same query
    # through the ORM took several times as long as running it (bench/load.py).
    # The columns named, not *: a prepared statement's columns must not change under it.
    columns = ", ".join(field.column for field in UserSession._meta.concrete_fields)
    sql = f"SELECT {columns} FROM {UserSession._meta.db_table} WHERE user_id = %s"  # noqa: S608 - values are parameters
    params = [user.pk]
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db":
        from django.contrib.sessions.models import Session

        sql += (
            f" AND session_key IN"  # noqa: S608 - values are parameters
            f" (SELECT session_key FROM {Session._meta.db_table} WHERE expire_date > %s)"
        )
        params.append(timezone.now())
    return list(UserSession.objects.raw(sql + " ORDER BY created_at DESC", params))


def data_exports_recent(*, user) -> list[DataExport]:
    """The person's latest data exports, newest first."""
    # Written in SQL: My privacy reads it on every view (see user_sessions_for).
    return list(
        DataExport.objects.raw(
            f"SELECT id, public_id, status, file_name, requested_at, expires_at"  # noqa: S608 - values are parameters
            f" FROM {DataExport._meta.db_table} WHERE user_id = %s"
            f" ORDER BY requested_at DESC, id DESC LIMIT {RECENT_EXPORTS}",
            [user.pk],
        )
    )


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


def account_erasable_by(*, user, staff) -> bool:
    """Whether this staff member may erase this account in the admin. A superuser may
    erase any (its staff work permitting: account_erase); anyone else, such as the
    Privacy Officer carrying out a request sent by e-mail or post, a job seeker's only:
    erasing a colleague's account, or a superuser's, would remove who may act in the
    admin, which is a superuser's decision."""
    return staff.is_superuser or not (user.is_staff or user.is_superuser)
