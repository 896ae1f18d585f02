"""Resume work in the admin (P10).

Support sees every workspace's workflow and assigns writers, never the content. A
writer sees only the workspaces assigned to them, with content, and uploads drafts.
A Privacy Officer (view_resume_content) may open any. Every look at content or a
file by staff is written to the staff access log.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path

from careerperfect.admin_mixins import ListedFiltersOnlyMixin
from resumes.forms import DraftUploadForm
from resumes.models import ResumeWorkspace
from resumes.selectors import (
    ASSIGN_PERMISSION,
    resume_is_assigned_writer,
    resume_staff_can_open_content,
    resume_workspace_detail,
    resume_workspaces_for_staff,
    resume_writer_candidates,
)
from resumes.services import (
    ResumeActionRefused,
    resume_draft_upload,
    resume_staff_access_record,
    resume_writer_assign,
)
from resumes.uploads import resume_upload_receiving
from resumes.views import STEP_TITLES, file_response, form_data, upload_bytes

WORKFLOW_FIELDS = ["owner", "kind", "stage", "writer", "created_at", "updated_at"]
# The statuses as staff need them (the model's labels speak to the customer).
STAGES = {
    ResumeWorkspace.Status.QUESTIONNAIRE: "Customer's turn: questionnaire not sent yet",
    ResumeWorkspace.Status.WRITING: "Writer's turn: a draft is due",
    ResumeWorkspace.Status.DRAFT_READY: "Customer's turn: reviewing a draft",
    ResumeWorkspace.Status.REVISION_REQUESTED: "Writer's turn: a revision is asked for",
    ResumeWorkspace.Status.DELIVERED: "Delivered",
}
CONTENT_FIELDS = ["questionnaire_answers", "documents", "timeline"]


@admin.register(ResumeWorkspace)
class ResumeWorkspaceAdmin(ListedFiltersOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "owner", "kind", "stage", "writer", "updated_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["owner", "writer"]
    search_fields = ["owner__email", "writer__email"]
    show_full_result_count = False
    change_form_template = "admin/resumes/resumeworkspace/change_form.html"

    @admin.display(description="stage", ordering="status")
    def stage(self, workspace):
        return STAGES[workspace.status]

    # --- Who sees what -------------------------------------------------------------

    def get_queryset(self, request):
        return resume_workspaces_for_staff(user=request.user)

    def has_add_permission(self, request):
        # Workspaces open from paid entitlements only.
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting must also remove files from storage: resume_workspace_purge does.
        return False

    def has_change_permission(self, request, obj=None):
        # "Change" here is assigning the writer, and nothing else.
        return request.user.has_perm(ASSIGN_PERMISSION) and super().has_change_permission(
            request, obj
        )

    def _shows_content(self, request, obj) -> bool:
        return obj is not None and resume_staff_can_open_content(user=request.user, workspace=obj)

    def get_fields(self, request, obj=None):
        if self._shows_content(request, obj):
            return WORKFLOW_FIELDS + CONTENT_FIELDS
        return WORKFLOW_FIELDS

    def get_readonly_fields(self, request, obj=None):
        fields = [field for field in self.get_fields(request, obj) if field != "writer"]
        # A refunded order's resume is given to no writer (resume_writers_release).
        if not self.has_change_permission(request, obj) or (
            obj is not None and not obj.entitlement.is_active
        ):
            fields.append("writer")
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "writer":
            kwargs["queryset"] = resume_writer_candidates()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if "writer" in form.cleaned_data:  # not when read-only (a refunded order's)
            try:
                resume_writer_assign(
                    workspace=obj, writer=form.cleaned_data["writer"], actor=request.user
                )
            except ResumeActionRefused as refused:
                # Refused under the lock: e.g. the order was refunded after the page was
                # shown. Said instead of "changed successfully", and nothing is logged.
                request.resume_assignment_refused = refused

    def log_change(self, request, obj, message):
        if not hasattr(request, "resume_assignment_refused"):
            super().log_change(request, obj, message)

    def response_change(self, request, obj):
        refused = getattr(request, "resume_assignment_refused", None)
        if refused is None:
            return super().response_change(request, obj)
        self.message_user(request, str(refused), messages.ERROR)
        return redirect(request.path)

    def _visible_or_404(self, request, object_id) -> ResumeWorkspace:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such resume.")
        return obj

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self._visible_or_404(request, object_id)
        if self._shows_content(request, obj):
            resume_staff_access_record(staff=request.user, workspace=obj)
        extra_context = {
            **(extra_context or {}),
            "can_upload_draft": resume_is_assigned_writer(user=request.user, workspace=obj),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._visible_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    # --- Content, shown only when _shows_content --------------------------------------

    @admin.display(description="Questionnaire")
    def questionnaire_answers(self, obj):
        return render_to_string(
            "admin/resumes/resumeworkspace/questionnaire.html",
            {"steps": STEP_TITLES, **self._detail(obj)},
        )

    @admin.display(description="Documents")
    def documents(self, obj):
        detail = self._detail(obj)
        return render_to_string(
            "admin/resumes/resumeworkspace/documents.html",
            {"workspace": obj, "files": detail["uploads"] + detail["drafts"]},
        )

    @admin.display(description="Timeline")
    def timeline(self, obj):
        return render_to_string(
            "admin/resumes/resumeworkspace/timeline.html", {"events": self._detail(obj)["events"]}
        )

    def _detail(self, obj):
        # The three content fields render from one set of queries.
        if getattr(obj, "_detail", None) is None:
            obj._detail = resume_workspace_detail(workspace=obj)
        return obj._detail

    # --- Staff file download and draft upload ---------------------------------------

    def get_urls(self):
        return [
            path(
                "<int:pk>/files/<uuid:file_id>/",
                self.admin_site.admin_view(self.file_view),
                name="resumes_resumeworkspace_file",
            ),
            path(
                "<int:pk>/draft/",
                self.admin_site.admin_view(resume_upload_receiving(self.draft_upload_view)),
                name="resumes_resumeworkspace_draft",
            ),
            *super().get_urls(),
        ]

    def file_view(self, request, pk, file_id):
        workspace = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self._shows_content(request, workspace):
            raise Http404("No such file.")
        file = get_object_or_404(workspace.files, public_id=file_id)
        resume_staff_access_record(staff=request.user, workspace=workspace, file=file)
        return file_response(file, workspace)

    def draft_upload_view(self, request, pk):
        workspace = get_object_or_404(self.get_queryset(request), pk=pk)
        if not resume_is_assigned_writer(user=request.user, workspace=workspace):
            raise Http404("No such resume.")
        form = DraftUploadForm(*form_data(request, files=True))
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                file = resume_draft_upload(
                    workspace=workspace,
                    writer=request.user,
                    name=upload.name,
                    data=upload_bytes(upload),
                    size=upload.size,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                form.add_error("file", error)
            except ResumeActionRefused as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"{file} uploaded; the customer has been e-mailed.")
                return redirect("admin:resumes_resumeworkspace_change", workspace.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Upload a draft for {workspace}",
            "opts": self.opts,
            "workspace": workspace,
            "form": form,
        }
        return TemplateResponse(request, "admin/resumes/draft_upload.html", context)
