from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin as AllauthAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from allauth.usersessions.admin import UserSessionAdmin as AllauthUserSessionAdmin
from allauth.usersessions.models import UserSession
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.shortcuts import redirect

from accounts.models import AccountErasure, Profile, User
from accounts.personal_data_registry import ErasureBlocked
from accounts.selectors import account_erasable_by
from accounts.services import ERASURE_BY_SUPERUSER_ONLY, account_erase_for_staff
from careerperfect.admin_mixins import ListedFiltersOnlyMixin, ReadOnlyAdminMixin
from consent.selectors import email_digest_searched


@admin.register(User)
class UserAdmin(ListedFiltersOnlyMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_active", "groups"]
    search_fields = ["email", "name"]
    readonly_fields = ["date_joined", "last_login", "age_confirmed_at"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal", {"fields": ["name", "age_confirmed_at"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]}),
    ]
    filter_horizontal = ["groups"]

    def get_readonly_fields(self, request, obj=None):
        # An address changes only as its owner changes it (accounts' e-mail page): it is
        # verified there, and the consent ledger and allauth's addresses follow it.
        return [*self.readonly_fields, "email"] if obj else self.readonly_fields

    # Deleting an account is erasing the person, as "Delete my account" does: every
    # app's personal data with it, orders kept anonymised, the address kept removed.
    # A superuser may delete any account; staff holding accounts.delete_user (the
    # Privacy Officer) a job seeker's only (account_erasable_by), one at a time.
    delete_confirmation_template = "admin/accounts/user/erase_confirmation.html"
    delete_selected_confirmation_template = "admin/accounts/user/erase_selected_confirmation.html"

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not account_erasable_by(user=obj, staff=request.user):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        if not request.user.is_superuser:
            # Each request to be erased names one person: their account's own page
            # says whether staff may erase it, and asks to confirm.
            actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request, obj):
        account_erase_for_staff(user=obj, staff=request.user)

    def get_deleted_objects(self, objs, request):
        # Erasure (account_erase) decides what each app deletes and what it keeps
        # anonymised, so the other admins' delete permissions (resumes and sittings
        # have none) do not stand in its way. The page names the accounts only: a
        # list of their objects would show resume entries and file names to staff
        # who may not read them, unlogged (P10). What protects a row still blocks.
        _objects, model_count, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return [str(user) for user in objs], model_count, set(), protected

    def log_deletions(self, request, queryset):
        # Each account is logged as deleted with its erasure, in one transaction
        # (account_erase_for_staff): one whose erasure is blocked is not logged.
        pass

    def delete_view(self, request, object_id, extra_context=None):
        user = self.get_object(request, unquote(object_id))
        if (
            user is not None
            and super().has_delete_permission(request, user)
            and not account_erasable_by(user=user, staff=request.user)
        ):
            # Refused with the reason, where Django would answer a bare "403 Forbidden"
            # (the page offers no such button, but a form sent by hand gets here).
            self.message_user(request, f"Not erased: {ERASURE_BY_SUPERUSER_ONLY}", messages.ERROR)
            return redirect("admin:accounts_user_change", object_id)
        try:
            return super().delete_view(request, object_id, extra_context)
        except ErasureBlocked as error:
            self.message_user(request, f"Not erased: {error}", messages.ERROR)
            return redirect("admin:accounts_user_change", object_id)

    def delete_queryset(self, request, queryset):
        request.accounts_erased, request.accounts_not_erased = 0, 0
        for user in queryset:
            try:
                account_erase_for_staff(user=user, staff=request.user)
            except ErasureBlocked as error:
                self.message_user(request, f"Not erased, {user.email}: {error}", messages.ERROR)
                request.accounts_not_erased += 1
            else:
                request.accounts_erased += 1

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        # Django's bulk delete then says every selected account went: say what did.
        if level == messages.SUCCESS and getattr(request, "accounts_not_erased", 0):
            message = (
                f"Erased {request.accounts_erased} of the selected accounts; "
                f"{request.accounts_not_erased} not (see why above)."
            )
        super().message_user(request, message, level, *args, **kwargs)


@admin.register(Profile)
class ProfileAdmin(ListedFiltersOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The optional answers, for those improving the site; nobody edits them but their
    author."""

    list_display = ["updated_at", "job_titles", "interests"]
    fields = ["interests", "job_types", "job_titles", "site_likes", "site_dislikes", "updated_at"]
    search_fields = ["interests", "job_titles", "site_likes", "site_dislikes"]


@admin.register(AccountErasure)
class AccountErasureAdmin(ListedFiltersOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["erased_at", "former_user_id", "email_digest", "apps"]
    search_fields = ["email_digest", "former_user_id"]
    search_help_text = "The address that was erased, its digest or the former account number."
    date_hierarchy = "erased_at"

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # The record keeps the address's keyed digest, which nobody can type: "was my
        # account erased?" is answered from the address itself.
        if digest := email_digest_searched(search_term):
            results |= queryset.filter(email_digest=digest)
        return results, may_have_duplicates


admin.site.unregister(UserSession)


@admin.register(UserSession)
class UserSessionAdmin(ListedFiltersOnlyMixin, AllauthUserSessionAdmin):
    # Accounts are found by e-mail address: this user model has no username.
    search_fields = ["user__pk", "user__email", "ip"]


admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(ListedFiltersOnlyMixin, AllauthAuthenticatorAdmin):
    """A lost device's authenticator is deleted here (its owner enrols again). What it
    holds (the TOTP secret, recovery codes, a security key) is neither shown nor edited:
    with it, anyone could pass as its owner's second factor."""

    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields
    search_fields = ["user__email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(ListedFiltersOnlyMixin, ReadOnlyAdminMixin, AllauthEmailAddressAdmin):
    # As an account's own address (UserAdmin): an address is added, confirmed and made
    # the main one by its owner only. Marking one verified here would attach that
    # address's guest orders to the account and put grants typed in for it in force.
    actions = []
