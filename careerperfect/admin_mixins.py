from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models.constants import LOOKUP_SEP


class ReadOnlyAdminMixin:
    """For ledgers and logs: staff with the view permission may read, nobody may write."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class ListedFiltersOnlyMixin:
    """A changelist may be narrowed by the filters it lists (and its date hierarchy),
    nothing else: Django would also take any of the model's own fields from the URL,
    and ?user__id__exact=… singles out one person's rows in a list that shows no one."""

    def lookup_allowed(self, lookup, value, request):
        return lookup.split(LOOKUP_SEP, 1)[0] in self._filter_names(
            request
        ) and super().lookup_allowed(lookup, value, request)

    def _filter_names(self, request) -> set[str]:
        names = {self.date_hierarchy} if self.date_hierarchy else set()
        for item in self.get_list_filter(request):
            if isinstance(item, str):
                names.add(item.split(LOOKUP_SEP, 1)[0])
            elif isinstance(item, list | tuple):
                names.add(item[0].split(LOOKUP_SEP, 1)[0])
            else:  # A SimpleListFilter: its own parameter.
                names.add(item.parameter_name)
        return names


def names_a_row(field, value) -> bool:
    """Whether a value from the browser could be a value of this key column: of its type
    and within its range. Asked before the database is: 'abc' where a number belongs
    raises ValueError in a query, and SQLite raises OverflowError for an integer past
    64 bits (PostgreSQL finds no row)."""
    if field.is_relation:
        field = field.target_field
    try:
        field.run_validators(field.to_python(value))
    except ValidationError:
        return False
    return True


class RowIdsMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A many-to-many choice that refuses a value no row can have as an error of the
    field: Django checks each value with a query that fails for an integer SQLite
    cannot hold, instead of finding nothing."""

    def clean(self, value):
        if isinstance(value, list | tuple):
            meta = self.queryset.model._meta
            key = meta.get_field(self.to_field_name) if self.to_field_name else meta.pk
            for item in value:
                if not names_a_row(key, item):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": item},
                    )
        return super().clean(value)


class RowIdsCheckedMixin:
    """Ids posted by the browser (the rows selected for an action, the choices of a
    many-to-many field) are checked before they reach a query, so that a forged or
    mistyped one gets an error message, not a server error. The admin site mixes it
    into every ModelAdmin registered on it."""

    def response_action(self, request, queryset, **kwargs):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if all(names_a_row(self.model._meta.pk, value) for value in selected):
            return super().response_action(request, queryset, **kwargs)
        self.message_user(
            request,
            "The selection names a row this list cannot have. No items have been changed.",
            messages.ERROR,
        )
        return None

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", RowIdsMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)
