"""The customer's side of resume work. Every page is the owner's alone: anyone else,
staff included, gets 404 here (staff work in the admin, where each look is logged)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careerperfect.private_files import private_file_response
from consent.purposes import Purpose
from consent.selectors import consent_is_granted
from resumes import forms
from resumes.documents import MIME_TYPES
from resumes.models import Questionnaire, ResumeFile, ResumeWorkspace
from resumes.selectors import (
    resume_authorization_of_workspace,
    resume_file_of_workspace,
    resume_workspace_detail,
    resume_workspace_for_owner,
    resume_workspaces_of_owner,
)
from resumes.services import (
    ResumeActionRefused,
    ResumeDecisionTaken,
    questionnaire_missing,
    questionnaire_step_save,
    questionnaire_submit,
    resume_approve,
    resume_authorization_revoke,
    resume_file_delete,
    resume_file_require_deletable,
    resume_file_upload,
    resume_revision_request,
    resume_send,
    resume_share,
    resume_shared_file,
    resume_workspaces_open_for_owner,
)
from resumes.uploads import resume_upload_receiving

STEP_TITLES = {
    1: "The job you want",
    2: "Work history",
    3: "Education",
    4: "Skills and certifications",
    5: "Notes to your writer",
}


def file_download_name(file: ResumeFile, workspace: ResumeWorkspace) -> str:
    """A download name built from what we know, never from the uploaded name alone."""
    if file.kind == ResumeFile.Kind.DRAFT:
        stem = f"{workspace.get_kind_display().lower().replace(' ', '-')}-draft-{file.version}"
    else:
        stem = "my-current-resume"
    return f"{stem}.{file.format}"


def file_response(file: ResumeFile, workspace: ResumeWorkspace):
    return private_file_response(
        name=file.storage_name,
        filename=file_download_name(file, workspace),
        content_type=MIME_TYPES[file.format],
    )


def upload_bytes(upload) -> bytes:
    """An upload's bytes, reading no more than one past the limit of an oversize file."""
    return upload.read(settings.RESUME_UPLOAD_MAX_BYTES + 1)


def form_data(request, *, files: bool = False) -> tuple:
    """Arguments that bind a form on POST (even an empty one) and leave it unbound on GET."""
    if request.method != "POST":
        return ()
    return (request.POST, request.FILES) if files else (request.POST,)


def _workspace(request, public_id) -> ResumeWorkspace:
    return resume_workspace_for_owner(user=request.user, public_id=public_id)


def _refused(request, error: ResumeActionRefused):
    messages.error(request, str(error))


@login_required
@require_GET
@never_cache
def resume_list(request):
    # Workspaces open when an order is paid or attached to the account; this opens
    # any an entitlement of the person still lacks (one granted before that was so).
    resume_workspaces_open_for_owner(user=request.user)
    workspaces = list(resume_workspaces_of_owner(user=request.user))
    if len(workspaces) == 1:
        return redirect("resumes:workspace", workspaces[0].public_id)
    return render(request, "resumes/list.html", {"workspaces": workspaces})


@login_required
@require_GET
@never_cache
def workspace_detail(request, public_id):
    return _workspace_page(request, _workspace(request, public_id))


def _workspace_page(request, workspace, *, review_form=None, comment: str = ""):
    """The workspace page; its review form is `review_form` (bound, to show its errors)
    or a fresh one for the latest draft, holding `comment` when one was typed."""
    detail = resume_workspace_detail(workspace=workspace)
    questionnaire = detail["questionnaire"]
    latest_draft = detail["drafts"][-1] if detail["drafts"] else None
    if review_form is None:
        review_form = forms.ReviewForm(
            initial={
                "draft": latest_draft.public_id if latest_draft else None,
                "comment": comment,
            }
        )
    return render(
        request,
        "resumes/workspace.html",
        {
            "workspace": workspace,
            "steps": STEP_TITLES,
            "missing": questionnaire_missing(questionnaire=questionnaire),
            "review_form": review_form,
            "comment": comment,
            "disclosure_allowed": consent_is_granted(
                user=request.user, purpose=Purpose.RESUME_DISCLOSURE
            ),
            **detail,
        },
    )


def _step_forms(step: int, questionnaire: Questionnaire, data=None, *, partial=False):
    """The form (or formset) of a questionnaire step, bound to data when posted;
    partial: required answers may stay empty for now (see forms.StepForm)."""
    if step == 1:
        return forms.TargetForm(
            data,
            initial={"target_job": questionnaire.target_job, "industry": questionnaire.industry},
            partial=partial,
        )
    # A posted formset is read without the saved entries as its initial data: the page
    # it came from may have shown fewer than are saved now (the form sent twice), and
    # a form matching its initial data would count as unchanged, so left out.
    if step == 2:
        initial = None
        if data is None:
            initial = list(
                questionnaire.work_entries.values(
                    "job_title", "employer", "start_year", "end_year", "achievements"
                )
            )
        return forms.WorkFormSet(data, initial=initial, prefix="work")
    if step == 3:
        initial = None
        if data is None:
            initial = list(
                questionnaire.education_entries.values("institution", "qualification", "year")
            )
        return forms.EducationFormSet(data, initial=initial, prefix="education")
    if step == 4:
        return forms.SkillsForm(
            data,
            initial={
                "skills": questionnaire.skills,
                "certifications": questionnaire.certifications,
            },
            partial=partial,
        )
    return forms.NotesForm(data, initial={"notes": questionnaire.notes})


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def questionnaire_step(request, public_id, step: int):
    workspace = _workspace(request, public_id)
    if step not in STEP_TITLES:
        raise Http404("No such step.")
    questionnaire = workspace.questionnaire
    go = request.POST.get("go", "next")
    form = _step_forms(
        step,
        questionnaire,
        request.POST if request.method == "POST" else None,
        # Going back never asks for this step's answers first: what is typed is kept.
        partial=go == "back",
    )
    if request.method == "POST" and form.is_valid():
        try:
            if isinstance(form, forms.EntryFormSet):
                questionnaire = questionnaire_step_save(
                    workspace=workspace, step=step, entries=form.entries()
                )
            else:
                questionnaire = questionnaire_step_save(
                    workspace=workspace, step=step, answers=form.cleaned_data
                )
            if go == "send":
                questionnaire_submit(workspace=workspace, actor=request.user)
                messages.success(
                    request,
                    "Your questionnaire is with your writer now."
                    if workspace.writer_id
                    else "Your questionnaire is sent. Your writer starts from it as soon as we "
                    "have chosen them.",
                )
                return redirect("resumes:workspace", workspace.public_id)
        except ResumeDecisionTaken as taken:
            messages.info(request, str(taken))
            return redirect("resumes:workspace", workspace.public_id)
        except ResumeActionRefused as error:
            # E.g. delivered or cancelled while the page was open: the page comes back
            # with what was typed still in it (to copy), not as saved before.
            _refused(request, error)
            workspace.refresh_from_db()
            return _questionnaire_page(request, workspace, step, form)
        if questionnaire.step_answered(step):
            messages.success(request, "Saved.")
        else:
            messages.info(
                request,
                f"Saved. “{STEP_TITLES[step]}” still needs an answer before you can send "
                "the questionnaire to your writer.",
            )
        if go == "add" or go == "stay":
            return redirect("resumes:questionnaire", workspace.public_id, step)
        if go == "back" and step > 1:
            return redirect("resumes:questionnaire", workspace.public_id, step - 1)
        if go == "next" and step < Questionnaire.STEPS:
            return redirect("resumes:questionnaire", workspace.public_id, step + 1)
        return redirect("resumes:workspace", workspace.public_id)
    return _questionnaire_page(request, workspace, step, form)


def _questionnaire_page(request, workspace: ResumeWorkspace, step: int, form):
    return render(
        request,
        "resumes/questionnaire_step.html",
        {
            "workspace": workspace,
            "questionnaire": workspace.questionnaire,
            "form": form,
            "is_formset": isinstance(form, forms.EntryFormSet),
            "step": step,
            "steps": STEP_TITLES,
            "step_count": Questionnaire.STEPS,
            "title": STEP_TITLES[step],
            "editable": workspace.status != ResumeWorkspace.Status.DELIVERED,
        },
    )


@resume_upload_receiving
@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def file_upload(request, public_id):
    workspace = _workspace(request, public_id)
    form = forms.UploadForm(*form_data(request, files=True))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            resume_file_upload(
                workspace=workspace,
                actor=request.user,
                name=upload.name,
                data=upload_bytes(upload),
                size=upload.size,
            )
        except ValidationError as error:
            form.add_error("file", error)
        except ResumeActionRefused as error:
            _refused(request, error)
            return redirect("resumes:workspace", workspace.public_id)
        else:
            messages.success(request, "Your resume is uploaded. Your writer will start from it.")
            return redirect("resumes:workspace", workspace.public_id)
    return render(
        request,
        "resumes/upload.html",
        {"workspace": workspace, "form": form, "max_size": settings.RESUME_UPLOAD_MAX_BYTES},
    )


@login_required
@require_GET
@never_cache
def file_download(request, public_id, file_id):
    workspace = _workspace(request, public_id)
    file = resume_file_of_workspace(workspace=workspace, public_id=file_id)
    return file_response(file, workspace)


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def file_delete(request, public_id, file_id):
    """Asks first, on a page of its own (GET); deletes the upload, stored file and
    all, on POST."""
    workspace = _workspace(request, public_id)
    file = resume_file_of_workspace(workspace=workspace, public_id=file_id)
    try:
        if request.method == "GET":
            resume_file_require_deletable(file=file)
            return render(
                request, "resumes/file_delete.html", {"workspace": workspace, "file": file}
            )
        resume_file_delete(file=file, actor=request.user)
    except ResumeActionRefused as error:
        _refused(request, error)
    else:
        messages.success(request, f"“{file.original_name}” is deleted.")
    return redirect("resumes:workspace", workspace.public_id)


@login_required
@require_POST
@never_cache
def review(request, public_id):
    """The customer's decision on a draft. When it cannot be taken, the page comes
    back with what they typed still in the comment box (or, with no draft waiting
    for review, shown to copy), never thrown away. Sent again, it is taken once."""
    workspace = _workspace(request, public_id)
    form = forms.ReviewForm(request.POST)
    comment = request.POST.get("comment", "")
    if not form.is_valid():
        if "draft" in form.errors:
            # A page without the draft it showed: show the latest one instead.
            messages.error(request, form.errors["draft"][0])
            return _workspace_page(request, workspace, comment=comment)
        return _workspace_page(request, workspace, review_form=form)
    draft = resume_file_of_workspace(workspace=workspace, public_id=form.cleaned_data["draft"])
    try:
        if request.POST.get("decision") == "approve":
            resume_approve(
                workspace=workspace,
                actor=request.user,
                draft=draft,
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, "Approved. Your final is ready to download.")
        else:
            resume_revision_request(
                workspace=workspace,
                actor=request.user,
                draft=draft,
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, "Your writer has your comments and will revise.")
    except ResumeDecisionTaken as taken:
        messages.info(request, str(taken))
    except ResumeActionRefused as error:
        # E.g. the writer sent a newer draft meanwhile: the page shows it, with the
        # comment kept for the person to send about that draft or change.
        _refused(request, error)
        workspace.refresh_from_db()
        return _workspace_page(request, workspace, comment=comment)
    return redirect("resumes:workspace", workspace.public_id)


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def share(request, public_id):
    workspace = _workspace(request, public_id)
    form = forms.ShareForm(*form_data(request), document=workspace.get_kind_display().lower())
    if request.method == "POST" and form.is_valid():
        try:
            send, sent_now = resume_share(
                workspace=workspace,
                actor=request.user,
                recipient_name=form.cleaned_data["recipient_name"],
                recipient_email=form.cleaned_data["recipient_email"],
            )
        except ResumeActionRefused as error:
            form.add_error(None, str(error))
        else:
            recipient = send.authorization.recipient_name
            if sent_now:
                messages.success(request, f"Sent to {recipient}.")
            else:
                messages.info(
                    request,
                    f"You sent it to {recipient} a few minutes ago, so it was not sent again. "
                    "To send it once more, use “Send again” below.",
                )
            return redirect("resumes:workspace", workspace.public_id)
    return render(
        request,
        "resumes/share.html",
        {
            "workspace": workspace,
            "form": form,
            "link_days": settings.RESUME_SHARE_LINK_DAYS,
            "disclosure_allowed": consent_is_granted(
                user=request.user, purpose=Purpose.RESUME_DISCLOSURE
            ),
        },
    )


@login_required
@require_POST
def share_again(request, public_id, authorization_id):
    workspace = _workspace(request, public_id)
    authorization = resume_authorization_of_workspace(
        workspace=workspace, public_id=authorization_id
    )
    try:
        resume_send(authorization=authorization, actor=request.user)
    except ResumeActionRefused as error:
        _refused(request, error)
    else:
        messages.success(request, f"Sent again to {authorization.recipient_name}.")
    return redirect("resumes:workspace", workspace.public_id)


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def share_revoke(request, public_id, authorization_id):
    """Asks first, on a page of its own (GET); revokes on POST."""
    workspace = _workspace(request, public_id)
    authorization = resume_authorization_of_workspace(
        workspace=workspace, public_id=authorization_id
    )
    if request.method == "GET":
        if not authorization.is_active:
            messages.info(request, f"Sending to {authorization.recipient_name} is revoked already.")
            return redirect("resumes:workspace", workspace.public_id)
        return render(
            request,
            "resumes/share_revoke.html",
            {
                "workspace": workspace,
                "authorization": authorization,
                "link_days": settings.RESUME_SHARE_LINK_DAYS,
            },
        )
    resume_authorization_revoke(authorization=authorization, actor=request.user)
    messages.success(
        request,
        f"Revoked. Nothing more goes to {authorization.recipient_name}, "
        "and the links they have stop working.",
    )
    return redirect("resumes:workspace", workspace.public_id)


@require_GET
@never_cache
def shared_file(request, token: str):
    """A recipient's download link: only while its owner's authorization stands."""
    file = resume_shared_file(token=token)
    if file is None:
        raise Http404("This link is not valid any more.")
    return file_response(file, file.workspace)
