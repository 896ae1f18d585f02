"""The instruments and occupations the migrations load, and the data files behind them."""

import csv

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import SUPPORT
from accounts.tests.factories import UserFactory
from assessments.instrument_data import DATA_DIR, instrument_definition, instruments_load
from assessments.models import Instrument, Item, Occupation, Scale
from assessments.tests.factories import RIASEC, VALUES, instrument


@pytest.mark.django_db
def test_the_riasec_inventory_has_eight_items_for_each_of_the_six_types():
    riasec = Instrument.objects.get(code="riasec-interests")

    per_scale = {scale.code: scale.items.count() for scale in riasec.scales.all()}

    assert per_scale == dict.fromkeys("RIASEC", 8)
    assert riasec.answer_labels[1] == "Strongly dislike"
    assert riasec.answer_labels[5] == "Strongly like"
    assert "0 to 32" in riasec.scoring_rule


@pytest.mark.django_db
def test_the_work_values_sorter_is_loaded_with_its_scoring_rule():
    values = Instrument.objects.get(code="work-values")

    assert values.items.count() == 18
    assert values.scales.count() == 6
    assert "0 to 12" in values.scoring_rule


@pytest.mark.django_db
def test_an_instrument_puts_at_least_one_item_on_a_page():
    # Zero would divide by zero on every page of the instrument.
    riasec = Instrument.objects.get(code="riasec-interests")
    riasec.items_per_page = 0

    with pytest.raises(ValidationError, match="Put at least one item on a page"):
        riasec.full_clean()


@pytest.mark.django_db
def test_items_are_asked_with_the_types_mixed_on_every_page():
    riasec = Instrument.objects.get(code="riasec-interests")
    items = list(riasec.items.order_by("position").select_related("scale"))

    for start in range(0, len(items), riasec.items_per_page):
        page = items[start : start + riasec.items_per_page]
        assert {item.scale.code for item in page} == set("RIASEC")


@pytest.mark.django_db
def test_no_two_items_share_a_text():
    texts = list(Item.objects.values_list("text", flat=True))

    assert len(texts) == len(set(texts))


@pytest.mark.django_db
def test_loading_again_changes_nothing_and_duplicates_nothing():
    from django.apps import apps

    before = list(Item.objects.order_by("pk").values_list("pk", "code", "text", "scale_id"))

    instruments_load(apps)

    assert list(Item.objects.order_by("pk").values_list("pk", "code", "text", "scale_id")) == before


@pytest.mark.django_db
def test_at_least_a_hundred_occupations_with_three_letter_interest_codes():
    codes = list(Occupation.objects.values_list("interest_code", flat=True))

    assert len(codes) >= 100
    assert all(
        len(code) == 3 and len(set(code)) == 3 and set(code) <= set("RIASEC") for code in codes
    )
    # Every type leads some occupations, so every result has matches at the top.
    assert {code[0] for code in codes} == set("RIASEC")


def test_the_data_files_say_where_the_occupations_come_from_and_how_scoring_works():
    readme = (DATA_DIR / "README.md").read_text()
    with (DATA_DIR / "occupations.csv").open(newline="") as file:
        header = next(csv.reader(file))

    assert "O*NET" in readme
    assert "US\nDepartment of Labor" in readme
    assert header == ["onet_soc", "title", "interest_code"]
    for name in ("riasec-interests.toml", "work-values.toml"):
        text = (DATA_DIR / name).read_text()
        assert "# Scoring rule" in text
        assert instrument_definition(name)["scoring_rule"].strip()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["superuser", SUPPORT])
def test_an_instruments_admin_page_reads_its_items_in_a_constant_number_of_queries(client, role):
    user = UserFactory(is_staff=True, is_superuser=role == "superuser")
    if role == SUPPORT:
        user.groups.add(Group.objects.get(name=SUPPORT))  # reads, cannot change
    client.force_login(user)
    queries_per_items = {}
    for code in (VALUES, RIASEC):
        url = reverse("admin:assessments_instrument_change", args=[instrument(code).pk])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        queries_per_items[Item.objects.filter(instrument__code=code).count()] = len(queries)

    assert len(set(queries_per_items.values())) == 1, queries_per_items


@pytest.mark.django_db
def test_a_saved_scales_code_stays_as_it_is_in_the_admin(rf):
    """Results keep their scores by scale code; its name may still change."""
    from django.contrib import admin

    from assessments.admin import ScaleInline

    riasec = instrument(RIASEC)
    request = rf.get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    formset_class = ScaleInline(Instrument, admin.site).get_formset(request, riasec)
    shown = formset_class(instance=riasec)
    data = {f"{shown.prefix}-{key}": value for key, value in shown.management_form.initial.items()}
    for form in shown.forms:
        data |= {form.add_prefix(name): form[name].value() for name in form.fields}
    first = shown.forms[0]
    data[first.add_prefix("code")] = "Z"
    data[first.add_prefix("name")] = "Hands-on"

    sent = formset_class(data, instance=riasec)
    assert sent.is_valid(), sent.errors
    sent.save()

    scale = Scale.objects.get(pk=first.instance.pk)
    assert (scale.code, scale.name) == (first.instance.code, "Hands-on")
