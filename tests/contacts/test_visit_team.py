"""Each visit's team kept on the visit (contacts.visit_team): every way the
staff of a visit are written leaves the visit's team size and lowest and
highest staff id as its staff rows say, since the continuity report reads
them instead of the rows (a wrong column would be a wrong figure)."""

from __future__ import annotations

import importlib
import io

import pytest
from django.core.management import call_command
from django.db import connection

from contacts import visit_team
from contacts.models import Visit
from imports.importers import import_csv
from tests.contacts.factories import UnitFactory
from tests.reports.continuity_data import at, client, staff, visit

pytestmark = pytest.mark.django_db


def team(v: Visit) -> tuple[int, int | None, int | None]:
    return Visit.objects.filter(pk=v.pk).values_list("team_size", "team_low", "team_high").get()


@pytest.fixture
def world():
    unit = UnitFactory(code="VT1")
    person = client(unit, "Vera", "Team", "7000100")
    people = [staff(unit, f"vt{n}") for n in range(4)]
    return unit, person, people


def test_the_staff_written_through_the_visit_set_its_team(world):
    unit, person, (a, b, c, d) = world
    v = visit(person, unit, at(3), [b])
    assert team(v) == (1, b.pk, b.pk)
    v.staff.add(d, a)
    assert team(v) == (3, a.pk, d.pk)
    # The instance at hand reads as stored.
    assert (v.team_size, v.team_low, v.team_high) == (3, a.pk, d.pk)
    v.staff.remove(a)
    assert team(v) == (2, b.pk, d.pk)
    v.staff.set([c])
    assert team(v) == (1, c.pk, c.pk)
    v.staff.clear()
    assert team(v) == (0, None, None)
    assert visit_team.mismatched() == []


def test_the_staff_written_from_the_staff_members_side(world):
    unit, person, (a, b, c, _d) = world
    v1 = visit(person, unit, at(3), [b])
    v2 = visit(person, unit, at(4))
    a.visits.add(v1, v2)
    assert (team(v1), team(v2)) == ((2, a.pk, b.pk), (1, a.pk, a.pk))
    b.visits.remove(v1)
    assert team(v1) == (1, a.pk, a.pk)
    c.visits.add(v1)
    a.visits.clear()
    assert (team(v1), team(v2)) == ((1, c.pk, c.pk), (0, None, None))
    assert visit_team.mismatched() == []


def test_a_deleted_staff_member_leaves_their_visits_teams_right(world):
    unit, person, (a, b, c, _d) = world
    v = visit(person, unit, at(3), [a, b, c])
    c.delete()
    assert team(v) == (2, a.pk, b.pk)
    a.delete()
    assert team(v) == (1, b.pk, b.pk)


def test_an_instance_read_before_its_staff_changed_does_not_write_its_old_team_back(world):
    unit, person, (a, b, _c, _d) = world
    v = visit(person, unit, at(3), [a])
    stale = Visit.objects.get(pk=v.pk)
    v.staff.add(b)
    stale.status = Visit.Status.CANCELLED
    stale.save()
    assert team(v) == (2, a.pk, b.pk)
    assert Visit.objects.get(pk=v.pk).status == Visit.Status.CANCELLED
    # Saving only some fields works as before.
    stale.kind = Visit.Kind.MEAL
    stale.save(update_fields=["kind"])
    assert team(v) == (2, a.pk, b.pk)


def test_imported_visits_carry_their_team_and_a_reimport_changes_it(world):
    unit, person, (a, b, c, d) = world
    header = "visit_id;customer_number;unit;start;status;staff\n"
    result = import_csv(
        "visits",
        header + f"VT-0;7000100;VT1;2025-02-03 08:00;performed;\n"
        f"VT-1;7000100;VT1;2025-02-03 09:00;performed;{c.signature}\n"
        f"VT-2;7000100;VT1;2025-02-03 10:00;performed;{d.signature} {a.signature}\n"
        f"VT-3;7000100;VT1;2025-02-03 11:00;performed;"
        f"{b.signature} {d.signature} {c.signature}\n",
    )
    assert result.ok, result.errors
    by_id = {v.visit_id: v for v in Visit.objects.all()}
    assert team(by_id["VT-0"]) == (0, None, None)
    assert team(by_id["VT-1"]) == (1, c.pk, c.pk)
    assert team(by_id["VT-2"]) == (2, a.pk, d.pk)
    assert team(by_id["VT-3"]) == (3, b.pk, d.pk)
    # Again: one visit's staff change, one's other fields, one not at all.
    result = import_csv(
        "visits",
        header + f"VT-1;7000100;VT1;2025-02-03 09:00;performed;{c.signature} {b.signature}\n"
        f"VT-2;7000100;VT1;2025-02-03 10:30;performed;{d.signature} {a.signature}\n"
        f"VT-3;7000100;VT1;2025-02-03 11:00;performed;{c.signature}\n",
    )
    assert result.ok, result.errors
    assert team(by_id["VT-1"]) == (2, b.pk, c.pk)
    assert team(by_id["VT-2"]) == (2, a.pk, d.pk)
    assert team(by_id["VT-3"]) == (1, c.pk, c.pk)
    assert visit_team.mismatched() == []


def test_a_failed_import_leaves_no_team_half_written(world):
    unit, person, (a, b, _c, _d) = world
    v = visit(person, unit, at(3), [a])
    v.visit_id = "VT-9"
    v.save()
    result = import_csv(
        "visits",
        "visit_id;customer_number;unit;start;status;staff\n"
        f"VT-9;7000100;VT1;2025-02-03 08:00;performed;{a.signature} {b.signature}\n"
        "VT-10;7000100;VT1;2025-02-03 09:00;performed;nobody\n",
    )
    assert not result.ok
    assert team(v) == (1, a.pk, a.pk)
    assert visit_team.mismatched() == []


def test_the_generated_municipality_has_its_teams():
    call_command("generate_scale_data", "--clients", "40", "--days", "3", stdout=io.StringIO())
    sizes = set(Visit.objects.values_list("team_size", flat=True))
    assert {0, 1, 2} <= sizes
    assert visit_team.mismatched() == []


def test_the_migration_fills_the_teams_of_visits_written_before_it(world):
    unit, person, (a, b, c, _d) = world
    visits = [
        visit(person, unit, at(3), [a, c]),
        visit(person, unit, at(4)),
        visit(person, unit, at(5), [b]),
    ]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE contacts_visit SET team_size = 0, team_low = NULL, team_high = NULL")
    assert len(visit_team.mismatched()) == 2
    migration = importlib.import_module("contacts.migrations.0012_visit_team")
    with connection.cursor() as cursor:
        cursor.execute(migration.FILL)
    assert visit_team.mismatched() == []
    assert [team(v) for v in visits] == [(2, a.pk, c.pk), (0, None, None), (1, b.pk, b.pk)]
    # refresh() of every visit gives the same.
    visit_team.refresh()
    assert visit_team.mismatched() == []
