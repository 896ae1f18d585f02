"""The questionnaire: in steps, saved as you go, resumable, with clear errors."""

import pytest
from django.urls import reverse

from mail.models import OutboundMessage
from resumes.models import ResumeEvent, ResumeWorkspace
from resumes.tests.factories import workspace_open


@pytest.fixture
def workspace(owner, client):
    client.force_login(owner)
    return workspace_open(owner=owner)


def step_url(workspace, step):
    return reverse("resumes:questionnaire", args=[workspace.public_id, step])


def work_formset(*entries, initial=0, prefix="work"):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(entries)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "30",
    }
    for index, entry in enumerate(entries):
        for name, value in entry.items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


JOB = {
    "job_title": "Analyst",
    "employer": "Acme",
    "start_year": "2018",
    "end_year": "",
    "achievements": "Cut reporting time in half.",
}


def _paid_through_checkout(*, product_kind, user=None, email="guest@example.com"):
    from orders.tests.factories import ProductFactory, placed_order, sandbox_paid

    order = placed_order(ProductFactory(kind=product_kind), user=user, email=email)
    sandbox_paid(order)
    return order


@pytest.mark.django_db
def test_paying_for_resume_writing_opens_its_workspace_for_support_to_assign(
    client, owner, support
):
    from orders.models import Product

    order = _paid_through_checkout(product_kind=Product.Kind.RESUME_PACKAGE, user=owner)
    client.force_login(support)

    response = client.get(reverse("admin:resumes_resumeworkspace_changelist"))

    workspace = ResumeWorkspace.objects.get()
    assert workspace.entitlement.order_line.order == order
    assert (workspace.owner, workspace.kind) == (owner, ResumeWorkspace.Kind.RESUME)
    assert workspace.events.get().action == ResumeEvent.Action.OPENED
    assert response.status_code == 200
    assert reverse("admin:resumes_resumeworkspace_change", args=[workspace.pk]) in (
        response.content.decode()
    )


@pytest.mark.django_db
def test_paying_for_a_cover_letter_opens_a_cover_letter_workspace(owner):
    from orders.models import Product

    _paid_through_checkout(product_kind=Product.Kind.COVER_LETTER, user=owner)

    assert ResumeWorkspace.objects.get().kind == ResumeWorkspace.Kind.COVER_LETTER


@pytest.mark.django_db
def test_a_guests_paid_order_opens_its_workspace_once_attached_to_their_account(owner):
    from orders.models import Product
    from orders.services import orders_attach_to_user

    # Bought as a guest with the address the account has verified.
    _paid_through_checkout(product_kind=Product.Kind.RESUME_PACKAGE, email=owner.email)
    assert not ResumeWorkspace.objects.exists(), "nobody to own it yet"

    orders_attach_to_user(user=owner)

    assert ResumeWorkspace.objects.get().owner == owner


@pytest.mark.django_db
def test_the_list_page_leads_to_the_workspace_of_a_paid_resume_order(client, owner):
    from orders.models import Entitlement
    from orders.tests.factories import paid_entitlement

    client.force_login(owner)
    entitlement = paid_entitlement(user=owner, kind=Entitlement.Kind.RESUME_WRITING)

    response = client.get(reverse("resumes:list"))

    workspace = ResumeWorkspace.objects.get(entitlement=entitlement)
    assert response.status_code == 302
    assert response.url == reverse("resumes:workspace", args=[workspace.public_id])


@pytest.mark.django_db
def test_the_list_page_opens_a_workspace_an_older_entitlement_lacks(client, owner):
    from orders.models import Entitlement
    from orders.tests.factories import paid_entitlement

    client.force_login(owner)
    entitlement = paid_entitlement(user=owner, kind=Entitlement.Kind.RESUME_WRITING)
    # Granted before workspaces were opened on payment.
    ResumeWorkspace.objects.all().delete()

    client.get(reverse("resumes:list"))

    assert ResumeWorkspace.objects.get().entitlement == entitlement


@pytest.mark.django_db
def test_opening_twice_gives_the_same_workspace(client, owner):
    from orders.models import Entitlement
    from orders.tests.factories import paid_entitlement
    from resumes.services import resume_workspace_open

    entitlement = paid_entitlement(user=owner, kind=Entitlement.Kind.RESUME_WRITING)

    assert resume_workspace_open(entitlement=entitlement) == resume_workspace_open(
        entitlement=entitlement
    )
    assert ResumeWorkspace.objects.count() == 1


@pytest.mark.django_db
def test_a_revoked_entitlement_opens_no_workspace(client, owner):
    from django.utils import timezone

    from orders.models import Entitlement
    from orders.tests.factories import paid_entitlement

    client.force_login(owner)
    entitlement = paid_entitlement(user=owner, kind=Entitlement.Kind.RESUME_WRITING)
    ResumeWorkspace.objects.all().delete()  # granted before workspaces opened on payment
    entitlement.revoked_at = timezone.now()
    entitlement.save()

    response = client.get(reverse("resumes:list"))

    assert response.status_code == 200
    assert not ResumeWorkspace.objects.exists()
    assert "You have no resume orders yet." in response.content.decode()


@pytest.mark.django_db
def test_a_step_saves_and_moves_on_and_the_progress_bar_follows(client, workspace):
    response = client.post(
        step_url(workspace, 1), {"target_job": "Data analyst", "industry": "Health", "go": "next"}
    )

    assert response.status_code == 302
    assert response.url == step_url(workspace, 2)
    questionnaire = workspace.questionnaire
    questionnaire.refresh_from_db()
    assert (questionnaire.target_job, questionnaire.industry) == ("Data analyst", "Health")
    assert questionnaire.saved_steps == [1]
    html = client.get(step_url(workspace, 2)).content.decode()
    assert '<progress id="questionnaire-progress" max="5" value="1">' in html


@pytest.mark.django_db
def test_the_workspace_offers_to_continue_where_you_left_off(client, workspace):
    client.post(step_url(workspace, 1), {"target_job": "Nurse", "industry": "Health"})
    client.post(step_url(workspace, 2), work_formset(JOB, {}))

    html = client.get(reverse("resumes:workspace", args=[workspace.public_id])).content.decode()

    assert f'href="{step_url(workspace, 3)}">Continue where you left off' in html


@pytest.mark.django_db
def test_progress_counts_the_steps_saved_whatever_their_order(client, workspace):
    client.post(step_url(workspace, 5), {"notes": "Hello", "go": "stay"})
    client.post(step_url(workspace, 1), {"target_job": "Nurse", "industry": "Health"})

    html = client.get(reverse("resumes:workspace", args=[workspace.public_id])).content.decode()

    assert '<progress id="questionnaire-progress" max="5" value="2">' in html
    assert f'href="{step_url(workspace, 2)}">Continue where you left off' in html


@pytest.mark.django_db
def test_a_missing_answer_gets_a_clear_message_and_saves_nothing(client, workspace):
    response = client.post(step_url(workspace, 1), {"target_job": "", "industry": "Retail"})

    assert response.status_code == 200
    assert "Tell us the job you are aiming for." in response.content.decode()
    workspace.questionnaire.refresh_from_db()
    assert workspace.questionnaire.industry == ""
    assert workspace.questionnaire.saved_steps == []


@pytest.mark.django_db
def test_going_back_keeps_what_is_typed_without_asking_for_the_rest_first(client, workspace):
    response = client.post(
        step_url(workspace, 4), {"skills": "", "certifications": "First aid", "go": "back"}
    )

    assert response.status_code == 302
    assert response.url == step_url(workspace, 3)
    questionnaire = workspace.questionnaire
    questionnaire.refresh_from_db()
    assert questionnaire.certifications == "First aid"
    # Not done yet: the progress bar and "continue where you left off" still lead here.
    assert questionnaire.saved_steps == []
    html = client.get(response.url).content.decode()
    assert "“Skills and certifications” still needs an answer before you can send" in html


@pytest.mark.django_db
def test_emptying_a_needed_answer_on_the_way_back_undoes_the_step(client, workspace):
    client.post(step_url(workspace, 4), {"skills": "Excel", "go": "next"})
    workspace.questionnaire.refresh_from_db()
    assert workspace.questionnaire.saved_steps == [4]

    client.post(step_url(workspace, 4), {"skills": "", "go": "back"})

    workspace.questionnaire.refresh_from_db()
    assert workspace.questionnaire.saved_steps == []


@pytest.mark.django_db
def test_moving_on_still_asks_for_the_answers_a_step_needs(client, workspace):
    response = client.post(step_url(workspace, 4), {"skills": "", "go": "next"})

    assert response.status_code == 200
    assert "List at least one skill." in response.content.decode()


@pytest.mark.django_db
def test_going_back_with_a_half_filled_entry_points_at_what_is_missing(client, workspace):
    half = {**JOB, "employer": "", "start_year": ""}

    response = client.post(step_url(workspace, 2), {**work_formset(half), "go": "back"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter the year, like 2019." in html
    assert not workspace.questionnaire.work_entries.exists()


@pytest.mark.django_db
def test_the_summary_of_an_entry_with_mistakes_links_to_each_field_to_fix(client, workspace):
    half = {**JOB, "employer": "", "start_year": ""}

    response = client.post(step_url(workspace, 2), {**work_formset(half), "go": "next"})

    html = response.content.decode()
    assert '<a href="#id_work-0-employer">Employer: This field is required.</a>' in html
    assert '<a href="#id_work-0-start_year">Started (year): Enter the year, like 2019.</a>' in html
    assert "<title>Error: " in html


@pytest.mark.django_db
def test_work_entries_repeat_and_the_empty_extra_entry_is_ignored(client, workspace):
    second = {**JOB, "job_title": "Clerk", "start_year": "2012", "end_year": "2018"}

    response = client.post(step_url(workspace, 2), {**work_formset(JOB, second, {}), "go": "add"})

    assert response.status_code == 302
    assert response.url == step_url(workspace, 2)
    titles = list(workspace.questionnaire.work_entries.values_list("job_title", flat=True))
    assert titles == ["Analyst", "Clerk"]
    html = client.get(step_url(workspace, 2)).content.decode()
    assert html.count("<fieldset>") == 3
    assert 'value="Clerk"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("step", [2, 3])
def test_the_same_form_sent_twice_keeps_its_entries(client, workspace, step):
    """A double click, a resent form after a lost answer, a second tab: the page the
    form came from showed no saved entry, but one is saved by the time it comes again."""
    if step == 2:
        form = work_formset(JOB, {})
    else:
        school = {"institution": "State University", "qualification": "BSc", "year": "2015"}
        form = work_formset(school, {}, prefix="education")

    for _ in range(2):
        response = client.post(step_url(workspace, step), {**form, "go": "next"})
        assert response.status_code == 302

    questionnaire = workspace.questionnaire
    entries = questionnaire.work_entries if step == 2 else questionnaire.education_entries
    assert entries.count() == 1
    questionnaire.refresh_from_db()
    assert step in questionnaire.saved_steps


@pytest.mark.django_db
def test_a_work_entry_can_be_removed(client, workspace):
    client.post(step_url(workspace, 2), work_formset(JOB, {}))

    client.post(step_url(workspace, 2), work_formset({**JOB, "DELETE": "on"}, {}, initial=1))

    assert not workspace.questionnaire.work_entries.exists()


@pytest.mark.django_db
def test_a_job_that_ends_before_it_starts_is_refused_clearly(client, workspace):
    entry = {**JOB, "start_year": "2020", "end_year": "2015"}

    response = client.post(step_url(workspace, 2), work_formset(entry))

    html = response.content.decode()
    assert response.status_code == 200
    assert "The year you left cannot be before the year you started." in html
    assert not workspace.questionnaire.work_entries.exists()


@pytest.mark.django_db
def test_a_year_in_the_future_is_refused(client, workspace):
    from django.utils import timezone

    next_year = timezone.now().year + 1

    response = client.post(step_url(workspace, 2), work_formset({**JOB, "start_year": next_year}))

    assert f"Enter a year up to {next_year - 1}." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("step", "prefix", "limit"), [(2, "work", 30), (3, "education", 20)])
def test_a_forged_entry_count_builds_no_more_entries_than_allowed(
    client, workspace, step, prefix, limit
):
    data = {**work_formset(prefix=prefix), f"{prefix}-TOTAL_FORMS": "99999999", "go": "stay"}

    response = client.post(step_url(workspace, step), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert f"Please submit at most {limit} forms." in html
    assert html.count("<fieldset>") == limit


@pytest.mark.django_db
def test_education_entries_are_saved(client, workspace):
    entry = {"institution": "State University", "qualification": "BSc Biology", "year": "2016"}

    client.post(step_url(workspace, 3), work_formset(entry, prefix="education"))

    saved = workspace.questionnaire.education_entries.get()
    assert (saved.institution, saved.year) == ("State University", 2016)


@pytest.mark.django_db
def test_sending_needs_the_required_answers(client, workspace):
    response = client.post(step_url(workspace, 5), {"notes": "Hi", "go": "send"}, follow=True)

    html = response.content.decode()
    assert "Before sending, please add the job and industry you are aiming for (step 1)" in html
    workspace.refresh_from_db()
    assert workspace.status == ResumeWorkspace.Status.QUESTIONNAIRE


@pytest.mark.django_db
def test_sending_hands_the_questionnaire_to_the_writer(client, workspace, writer):
    from resumes.services import resume_writer_assign

    resume_writer_assign(workspace=workspace, writer=writer, actor=None)
    client.post(step_url(workspace, 1), {"target_job": "Nurse", "industry": "Health"})
    client.post(step_url(workspace, 4), {"skills": "Triage", "certifications": ""})

    response = client.post(step_url(workspace, 5), {"notes": "Keep it short", "go": "send"})

    assert response.url == reverse("resumes:workspace", args=[workspace.public_id])
    workspace.refresh_from_db()
    assert workspace.status == ResumeWorkspace.Status.WRITING
    assert workspace.questionnaire.submitted_at is not None
    assert workspace.questionnaire.notes == "Keep it short"
    assert workspace.events.last().action == ResumeEvent.Action.QUESTIONNAIRE_SENT
    assert OutboundMessage.objects.filter(
        to=writer.email, subject__contains="Questionnaire received"
    ).exists()


@pytest.mark.django_db
def test_sending_twice_sends_once_and_says_it_is_with_the_writer(client, workspace, writer):
    from resumes.services import resume_writer_assign

    resume_writer_assign(workspace=workspace, writer=writer, actor=None)
    client.post(step_url(workspace, 1), {"target_job": "Nurse", "industry": "Health"})
    client.post(step_url(workspace, 4), {"skills": "Triage", "certifications": ""})
    client.post(step_url(workspace, 5), {"notes": "Keep it short", "go": "send"})

    again = client.post(step_url(workspace, 5), {"notes": "Keep it short", "go": "send"})

    assert again.url == reverse("resumes:workspace", args=[workspace.public_id])
    html = client.get(again.url).content.decode()
    assert "Your questionnaire is with your writer already." in html
    assert 'class="message message-info"' in html
    sent = workspace.events.filter(action=ResumeEvent.Action.QUESTIONNAIRE_SENT)
    assert sent.count() == 1
    received = OutboundMessage.objects.filter(subject__contains="Questionnaire received")
    assert received.count() == 1


@pytest.mark.django_db
def test_sent_before_a_writer_is_chosen_it_says_a_writer_is_still_to_come(client, workspace):
    client.post(step_url(workspace, 1), {"target_job": "Nurse", "industry": "Health"})
    client.post(step_url(workspace, 4), {"skills": "Triage", "certifications": ""})

    response = client.post(
        step_url(workspace, 5), {"notes": "Keep it short", "go": "send"}, follow=True
    )
    again = client.post(step_url(workspace, 5), {"notes": "", "go": "send"}, follow=True)

    text = " ".join(response.text.split())
    assert "Your questionnaire is sent. Your writer starts from it as soon as we have" in text
    assert 'Status: <strong class="status status-writing">Waiting for your writer</strong>' in text
    assert "We are choosing your writer, who will start from your questionnaire." in text
    assert "with your writer" not in text and "working on a draft" not in text
    assert "your writer starts from it as soon as we have chosen them" in again.text


@pytest.mark.django_db
def test_an_unknown_step_is_not_found(client, workspace):
    assert client.get(step_url(workspace, 6)).status_code == 404


@pytest.mark.django_db
def test_answers_all_saved_but_not_sent_say_so_and_lead_to_sending(client, workspace):
    client.post(step_url(workspace, 1), {"target_job": "Nurse", "industry": "Health"})
    client.post(step_url(workspace, 2), work_formset(JOB, {}))
    degree = {"institution": "State University", "qualification": "BSc Nursing", "year": "2016"}
    client.post(step_url(workspace, 3), work_formset(degree, prefix="education"))
    client.post(step_url(workspace, 4), {"skills": "Triage", "certifications": ""})
    client.post(step_url(workspace, 5), {"notes": "", "go": "stay"})
    assert workspace.questionnaire.steps_done == 5

    html = client.get(reverse("resumes:workspace", args=[workspace.public_id])).content.decode()

    assert "All your answers are saved, but not sent yet" in html
    assert f'href="{step_url(workspace, 5)}">Check and send to your writer' in html


@pytest.mark.django_db
def test_answers_sent_after_the_resume_was_delivered_stay_on_the_page_to_copy(client, workspace):
    # The page was open while the writer delivered the final.
    ResumeWorkspace.objects.filter(pk=workspace.pk).update(status=ResumeWorkspace.Status.DELIVERED)

    response = client.post(
        step_url(workspace, 5), {"notes": "Please leave out my 2019 job.", "go": "stay"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "This resume is finished and delivered." in html
    assert "Please leave out my 2019 job." in html
    workspace.questionnaire.refresh_from_db()
    assert workspace.questionnaire.notes == ""
