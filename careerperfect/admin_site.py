from functools import update_wrapper

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect

from careerperfect.admin_mixins import RowIdsCheckedMixin


def staff_lacks_two_factor(user) -> bool:
    """Staff who must set up two-factor authentication before any staff page."""
    from allauth.mfa.utils import is_mfa_enabled

    return (
        settings.ADMIN_REQUIRE_MFA
        and user.is_authenticated
        and user.is_staff
        and not is_mfa_enabled(user)
    )


def _to_two_factor_setup(request):
    messages.warning(request, "Set up two-factor authentication before using the staff admin.")
    return redirect("mfa_index")


def staff_two_factor_required(view):
    """For staff pages outside the admin: the admin's two-factor rule applies to them too."""

    def wrapper(request, *args, **kwargs):
        if staff_lacks_two_factor(request.user):
            return _to_two_factor_setup(request)
        return view(request, *args, **kwargs)

    return update_wrapper(wrapper, view)


class AdminSite(admin.AdminSite):
    """The staff admin: signed in through allauth (rate limits, two-factor step), and
    in production only for staff who have set up two-factor authentication."""

    site_header = "CareerPerfect staff"
    site_title = "CareerPerfect staff"
    index_title = "Run the business"

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def wrapper(request, *args, **kwargs):
            if staff_lacks_two_factor(request.user):
                return _to_two_factor_setup(request)
            return inner(request, *args, **kwargs)

        return update_wrapper(wrapper, view)

    def register(self, model_or_iterable, admin_class=None, **options):
        # Every admin, ours or a library's (Group's), checks the ids it is posted.
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, RowIdsCheckedMixin):
            admin_class = type(
                admin_class.__name__,
                (RowIdsCheckedMixin, admin_class),
                {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__},
            )
        super().register(model_or_iterable, admin_class, **options)

    def login(self, request, extra_context=None):
        from allauth.account.decorators import secure_admin_login

        return secure_admin_login(super().login)(request, extra_context)


class CareerPerfectAdminConfig(AdminConfig):
    default_site = "careerperfect.admin_site.AdminSite"
