"""docs/security.md names, for each promise of the app, the tests that prove
it: every test it names exists, so the page cannot promise by a test that was
renamed or removed."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_test_named_in_the_security_page_exists():
    text = (ROOT / "docs" / "security.md").read_text()
    named = 0
    current = None
    missing = []
    # `file.py::test_name`, then `::test_name` for more tests of the same file.
    for match in re.finditer(r"`([\w/]+\.py)?::(test_\w+)`", text):
        current = match.group(1) or current
        assert current, f"{match.group(0)} names no file"
        source = (ROOT / "tests" / current).read_text()
        named += 1
        if not re.search(rf"^\s*def {match.group(2)}\(", source, re.MULTILINE):
            missing.append(f"{current}::{match.group(2)}")
    assert not missing, missing
    assert named > 50
