from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from assessments.charts import bar_chart
from assessments.forms import ItemPageForm
from assessments.models import Instrument, Sitting
from assessments.selectors import (
    assessments_entitlement,
    assessments_product,
    instruments_overview,
    result_report,
    sitting_get_for_owner,
    sitting_get_for_staff,
    sitting_page,
    sitting_resume_page,
    staff_can_view_private_results,
)
from assessments.services import (
    AssessmentsNotPurchased,
    SittingClosed,
    SittingIncomplete,
    sitting_answers_save,
    sitting_scoring_can_retry,
    sitting_scoring_retry,
    sitting_staff_view,
    sitting_start,
    sitting_submit,
)
from careerperfect.admin_site import staff_two_factor_required

NOT_PURCHASED = (
    "The assessments come with our career-planning software. Once your order for it is "
    "paid, they appear here."
)


@login_required
@never_cache
def assessment_list(request):
    entitled = assessments_entitlement(user=request.user) is not None
    return render(
        request,
        "assessments/index.html",
        {
            "entitled": entitled,
            "overview": instruments_overview(user=request.user),
            # Where to get them: a way on rather than a dead end.
            "software_product": None if entitled else assessments_product(),
        },
    )


@login_required
@require_POST
def sitting_begin(request, code):
    instrument = get_object_or_404(Instrument, code=code, active=True)
    try:
        sitting = sitting_start(user=request.user, instrument=instrument)
    except AssessmentsNotPurchased:
        messages.error(request, NOT_PURCHASED)
        return redirect("assessments:index")
    return redirect("assessments:resume", public_id=sitting.public_id)


@login_required
def sitting_resume(request, public_id):
    sitting = sitting_get_for_owner(user=request.user, public_id=public_id)
    if sitting.status != Sitting.Status.IN_PROGRESS:
        return redirect("assessments:result", public_id=public_id)
    return redirect(
        "assessments:page", public_id=public_id, number=sitting_resume_page(sitting=sitting)
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def sitting_page_view(request, public_id, number):
    sitting = sitting_get_for_owner(user=request.user, public_id=public_id)
    if sitting.status != Sitting.Status.IN_PROGRESS:
        return redirect("assessments:result", public_id=public_id)
    page = sitting_page(sitting=sitting, number=number)
    missing_pages = []
    if request.method == "POST":
        action = request.POST.get("action", "next")
        form = ItemPageForm(
            request.POST,
            instrument=sitting.instrument,
            items=page.items,
            require_all=action in {"next", "submit"},
        )
        try:
            if form.is_valid() and action == "submit" and page.is_last:
                sitting_submit(sitting=sitting, answers=form.answers())
                return redirect("assessments:result", public_id=public_id)
            sitting_answers_save(sitting=sitting, answers=form.answers_given())
        except AssessmentsNotPurchased:
            messages.error(request, NOT_PURCHASED)
            return redirect("assessments:index")
        except SittingClosed:
            # Submitted meanwhile, in another tab.
            return redirect("assessments:result", public_id=public_id)
        except SittingIncomplete as incomplete:
            missing_pages = incomplete.pages
        else:
            if form.is_valid():
                return _redirect_after_save(request, sitting, page, action)
        page = sitting_page(sitting=sitting, number=number)
    else:
        form = ItemPageForm(
            instrument=sitting.instrument,
            items=page.items,
            require_all=False,
            initial={f"item_{item_id}": value for item_id, value in page.answers.items()},
        )
    return render(
        request,
        "assessments/page.html",
        {
            "sitting": sitting,
            "instrument": sitting.instrument,
            "page": page,
            "form": form,
            "missing_pages": missing_pages,
        },
    )


def _redirect_after_save(request, sitting, page, action):
    if action == "later":
        messages.success(request, "Your answers are saved. Come back to finish any time.")
        return redirect("assessments:index")
    number = max(1, page.number - 1) if action == "back" else min(page.count, page.number + 1)
    return redirect("assessments:page", public_id=sitting.public_id, number=number)


def _result_context(request, public_id):
    sitting = sitting_get_for_owner(user=request.user, public_id=public_id)
    if sitting.status != Sitting.Status.SCORED:
        return sitting, None
    report = result_report(sitting=sitting)
    return sitting, {
        "sitting": sitting,
        "instrument": sitting.instrument,
        "report": report,
        "chart": bar_chart(report.scores),
    }


@login_required
@never_cache
def sitting_result(request, public_id):
    sitting, context = _result_context(request, public_id)
    if sitting.status == Sitting.Status.IN_PROGRESS:
        return redirect("assessments:resume", public_id=public_id)
    if context is None:
        return render(
            request,
            "assessments/scoring.html",
            {
                "sitting": sitting,
                "instrument": sitting.instrument,
                "can_retry": sitting_scoring_can_retry(sitting=sitting),
            },
        )
    return render(request, "assessments/result.html", context)


@login_required
@never_cache
def sitting_result_print(request, public_id):
    _sitting, context = _result_context(request, public_id)
    if context is None:
        return redirect("assessments:result", public_id=public_id)
    return render(request, "assessments/result_print.html", context)


@login_required
@never_cache
def sitting_status(request, public_id):
    """For the page's optional script: whether scoring has finished."""
    sitting = sitting_get_for_owner(user=request.user, public_id=public_id)
    return JsonResponse({"status": sitting.status})


@login_required
@require_POST
def sitting_retry(request, public_id):
    sitting = sitting_get_for_owner(user=request.user, public_id=public_id)
    if sitting_scoring_retry(sitting=sitting):
        messages.info(request, "We are scoring your answers again.")
    return redirect("assessments:result", public_id=public_id)


@login_required
@never_cache
@staff_two_factor_required
def sitting_staff_result(request, public_id):
    """A Privacy Officer's view of one person's answers and result; every view is logged."""
    if not staff_can_view_private_results(user=request.user):
        raise PermissionDenied
    sitting = sitting_get_for_staff(public_id=public_id)
    sitting_staff_view(staff=request.user, sitting=sitting)
    context = {"sitting": sitting, "instrument": sitting.instrument, "report": None}
    if sitting.status == Sitting.Status.SCORED:
        context["report"] = result_report(sitting=sitting)
        context["chart"] = bar_chart(context["report"].scores)
    context["answers"] = list(sitting.answers.select_related("item").order_by("item__position"))
    return render(request, "assessments/staff_result.html", context)
