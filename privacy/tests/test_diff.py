from privacy.diff import paragraphs, policy_diff


def rendered(old: str, new: str) -> list[tuple[str, str]]:
    return [
        (block.change, str(block.html))
        for section in policy_diff(old, new)
        for block in section.blocks
    ]


def test_rewrapping_a_paragraph_is_no_change():
    assert paragraphs("One two\nthree.\n\n\nFour.") == ["One two three.", "Four."]
    assert [change for change, _ in rendered("One two\nthree.", "One\ntwo three.")] == ["same"]


def test_a_reworded_paragraph_shows_the_words_that_changed():
    changes = rendered("We keep your data for a year.", "We keep your data for two years.")

    assert changes == [
        ("changed", "We keep your data for <del>a year.</del> <ins>two years.</ins>")
    ]


def test_added_and_removed_paragraphs_are_marked_whole():
    changes = rendered("Intro.\n\nOld part.\n\nEnd.", "Intro.\n\nEnd.\n\nBrand new part.")

    assert ("removed", "Old part.") in changes
    assert ("added", "Brand new part.") in changes


def test_a_paragraph_replaced_by_unrelated_text_is_removed_then_added():
    changes = rendered("Cats sleep all day long.", "Payments go through Stripe.")

    assert changes == [
        ("removed", "Cats sleep all day long."),
        ("added", "Payments go through Stripe."),
    ]


def test_text_is_escaped():
    html = " ".join(text for _, text in rendered("a <b>", 'a <script>alert("x")</script>'))

    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_heading_marks_are_not_compared():
    assert rendered("## Cookies", "### Cookies") == [("same", "Cookies")]


def test_long_unchanged_runs_are_folded_and_changes_are_not():
    old = "\n\n".join(f"Paragraph {n}." for n in range(6))
    new = old.replace("Paragraph 5.", "Paragraph five.")

    sections = policy_diff(old, new)

    assert [(s.change, len(s.blocks), s.folded) for s in sections] == [
        ("same", 5, True),
        ("change", 1, False),
    ]
