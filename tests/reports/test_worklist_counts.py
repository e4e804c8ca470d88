"""The start page counts the worklists and the plan deadlines without making
their rows (reports.worklists.worklist_counts, plans.selectors.overdue_counts):
the counts must be those of the lists themselves, by the same rules, on the
demo municipality (every list has rows there) on dates around its rules'
boundaries."""

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command

from contacts.models import Unit
from plans.selectors import overdue_counts, overdue_plans
from reports.worklists import worklist_counts, worklists

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)
# The seeding day; a day after (14-day and six-month rules move by one day);
# a month and a half later (follow-ups passed, more clients overdue); one
# before the seeding (services not yet started, plans not yet active).
DAYS = [
    TODAY,
    TODAY + dt.timedelta(days=1),
    TODAY + dt.timedelta(days=45),
    TODAY - dt.timedelta(days=20),
]


@pytest.fixture
def demo():
    call_command("seed_demo", clients=40, today=TODAY, stdout=io.StringIO())
    return Unit.objects.order_by("code")


def test_the_counts_are_the_lists_lengths(demo):
    seen = Counter()
    for on in DAYS:
        for scope in [demo, *(demo.filter(pk=unit.pk) for unit in demo)]:
            lists = worklists(scope, on)
            counts = worklist_counts(scope, on)
            assert [(key, count) for key, _title, count in counts.sections()] == [
                (key, len(rows)) for key, _title, rows in lists.sections()
            ], (on, list(scope))
            assert counts.total == lists.total
            # The titles are the lists' own.
            assert [t for _k, t, _c in counts.sections()] == [t for _k, t, _r in lists.sections()]
            seen.update({key: count for key, _title, count in counts.sections()})
    # Every list has rows on some of the days.
    assert all(seen[key] > 0 for key in ("not_asked", "contacts", "evidence", "plans", "load")), (
        seen
    )


def test_the_plan_counts_are_the_deadlines_per_unit(demo):
    for on in DAYS:
        listed = Counter(item.unit_id for item in overdue_plans(demo, on))
        assert overdue_counts(demo, on) == dict(listed), on
        assert sum(overdue_counts(demo, on).values()) == worklist_counts(demo, on).counts["plans"]
    assert any(overdue_counts(demo, on) for on in DAYS)
