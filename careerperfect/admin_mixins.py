from django.contrib import admin
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
