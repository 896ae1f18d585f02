"""Instruments and occupations for permitted staff; sittings as status and timing only.

Answers and results are deliberately not registered: they never appear in an admin
list. A Privacy Officer opens them one sitting at a time through a logged view.
"""

from django import forms
from django.contrib import admin
from django.urls import reverse

from assessments.models import Instrument, Item, Occupation, Scale, Sitting
from assessments.selectors import staff_can_view_private_results
from careerperfect.admin_mixins import ListedFiltersOnlyMixin, ReadOnlyAdminMixin


class ScaleForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Results keep their scores by scale code: a new code would leave them
            # with scores of a scale that no longer exists. The name can change.
            self.fields["code"].disabled = True


class ScaleInline(admin.TabularInline):
    model = Scale
    form = ScaleForm
    extra = 0
    fields = ["position", "code", "name", "description"]


class ItemInline(admin.TabularInline):
    model = Item
    extra = 0
    fields = ["position", "code", "text", "scale"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("scale")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "scale":
            # Offer only the scales of the instrument being edited, read once for
            # every item's row rather than once per row.
            object_id = request.resolver_match.kwargs.get("object_id")
            field.queryset = Scale.objects.filter(instrument_id=object_id)
            field.choices = list(field.choices)
        return field


@admin.register(Instrument)
class InstrumentAdmin(ListedFiltersOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "code", "kind", "items_per_page", "active", "sort_order"]
    list_filter = ["kind", "active"]
    inlines = [ScaleInline, ItemInline]

    def get_readonly_fields(self, request, obj=None):
        # The code is how the scoring partner knows the instrument.
        return ["code"] if obj else []


@admin.register(Occupation)
class OccupationAdmin(ListedFiltersOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "onet_soc", "interest_code"]
    search_fields = ["title", "onet_soc", "interest_code"]


@admin.register(Sitting)
class SittingAdmin(ListedFiltersOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    # Status and timing only: no person, no answers, no scores.
    list_display = [
        "short_id",
        "instrument",
        "status",
        "started_at",
        "last_saved_at",
        "submitted_at",
        "scored_at",
        "scoring_attempts",
    ]
    list_filter = ["status", "instrument"]
    list_select_related = ["instrument"]
    date_hierarchy = "started_at"
    fields = [
        "public_id",
        "instrument",
        "status",
        "started_at",
        "last_saved_at",
        "submitted_at",
        "scored_at",
        "scoring_attempts",
        "scoring_error",
    ]
    change_form_template = "admin/assessments/sitting/change_form.html"

    @admin.display(description="sitting")
    def short_id(self, obj):
        return obj.public_id.hex[:8]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        sitting = self.get_object(request, object_id)
        if sitting and staff_can_view_private_results(user=request.user):
            extra_context["private_result_url"] = reverse(
                "assessments:staff_result", args=[sitting.public_id]
            )
        return super().change_view(request, object_id, form_url, extra_context)
