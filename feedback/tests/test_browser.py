"""Text people write can hold words longer than a phone is wide."""

import pytest
from django.urls import reverse

from contests.tests.factories import ContestFactory
from feedback.tests.factories import story

# Each fits the fields it goes in (80 characters at the least), and is wider than a phone.
LONG_WORD = "https://example.com/" + "a-long-path-segment-" * 3


@pytest.mark.browser
def test_long_words_wrap_instead_of_widening_the_page_on_a_phone(chromium, live_server):
    story(body=f"My new job came from {LONG_WORD} within a week.", display_name=LONG_WORD)
    contest = ContestFactory(title="Win" + "ning" * 30, summary=LONG_WORD, prize=LONG_WORD)
    context = chromium.new_context(viewport={"width": 375, "height": 800})
    phone = context.new_page()
    try:
        for path in (
            reverse("feedback:success_stories"),
            reverse("contests:detail", args=[contest.slug]),
        ):
            phone.goto(live_server.url + path)
            width, visible = phone.evaluate(
                "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert width <= visible, path
    finally:
        context.close()
