from django.apps import AppConfig


def _other_sessions_end(sender, request=None, user=None, **kwargs):
    # A thin trigger. A new password already signs every other session out (Django
    # checks each session against the password); ending them here removes them from
    # My privacy, which otherwise went on listing them as signed in.
    from accounts.services import user_sessions_end_others

    session_key = request.session.session_key if request is not None else None
    user_sessions_end_others(user=user, current_session_key=session_key)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from allauth.account.signals import password_changed, password_reset, password_set
        from django.db.models.signals import post_migrate

        from accounts.roles import roles_sync_after_migrate

        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="accounts.roles_sync")
        for signal in (password_changed, password_set, password_reset):
            signal.connect(_other_sessions_end, dispatch_uid="accounts.other_sessions_end")
