import pytest

from contests import demo
from contests.models import Contest


@pytest.mark.django_db
def test_the_demo_contests_with_digital_prizes_ask_no_postal_address():
    demo.seed()

    assert dict(Contest.objects.values_list("slug", "prize_is_posted")) == {
        "resume-makeover": False,
        "career-planner": False,
    }
