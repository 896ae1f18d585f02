import ast
import re
from pathlib import Path

from django.core.management import call_command

from careerperfect.promises import PROMISES

ROOT = Path(__file__).resolve().parents[2]


def node_exists(node_id: str) -> bool:
    """Whether a pytest node id (path::[Class::]function[param]) names a real test."""
    path, *names = re.sub(r"\[.*\]$", "", node_id).split("::")
    file = ROOT / path
    if not file.is_file() or not names:
        return False
    scope = ast.parse(file.read_text()).body
    for name in names:
        found = next(
            (
                node
                for node in scope
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                and node.name == name
            ),
            None,
        )
        if found is None:
            return False
        scope = getattr(found, "body", [])
    return names[-1].startswith("test")


def test_every_listed_test_exists():
    missing = [test for promise in PROMISES for test in promise.tests if not node_exists(test)]

    assert missing == []


def test_the_registry_covers_p1_to_p17_in_order():
    assert [promise.code for promise in PROMISES] == [f"P{n}" for n in range(1, 18)]


def test_node_exists_rejects_what_is_not_a_test():
    assert node_exists("careerperfect/tests/test_promises.py::test_every_listed_test_exists")
    assert not node_exists("careerperfect/tests/test_promises.py::test_no_such_test")
    assert not node_exists("careerperfect/tests/test_promises.py::node_exists")
    assert not node_exists("careerperfect/tests/no_such_file.py::test_x")


def test_command_prints_one_line_per_promise(capsys):
    call_command("promises")

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 17
    code, state, tests = lines[14].split("\t")
    assert (code, state) == ("P15", "proved")
    assert "accounts/tests/test_signup.py::test_signup_below_minimum_age_stores_nothing" in tests


def test_every_promise_names_the_tests_that_prove_it():
    assert [promise.code for promise in PROMISES if not promise.proved] == []
