"""contacts.access: permissions (not group names) decide, and need-to-know
decides which clients a user reaches (issue 8.5, issue 10.1)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from contacts import access, services
from contacts.models import CareContact
from contacts.roles import ROLE_PERMISSIONS, Role
from journal import services as journal_services
from journal.models import JournalNote
from tests.contacts.factories import ServiceFactory, StaffFactory, UnitFactory, make_user
from tests.plans.factories import PlanFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


# --- permissions, not group names ---------------------------------------------------------


def test_every_permission_a_role_names_exists():
    for role, perms in ROLE_PERMISSIONS.items():
        for dotted in perms:
            app_label, codename = dotted.split(".")
            assert Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).exists(), (role, dotted)
            assert (
                Group.objects.get(name=role)
                .permissions.filter(content_type__app_label=app_label, codename=codename)
                .exists()
            ), (role, dotted)


# What each role may do, written out by hand from the domain's roles.
EXPECTED_FLAGS = {
    Role.UNIT_MANAGER: {
        "is_administrator": False, "can_read_clients": True, "can_read_relatives": True,
        "can_read_history": True, "can_read_journal": True, "can_write_journal": True,
        "can_read_plans": True, "can_change_contacts": True, "can_view_staff": True,
        "can_view_statistics": True, "can_view_reports": True, "can_import": False,
        "can_view_access_log": False,
    },
    Role.STATISTICS: {
        "is_administrator": False, "can_read_clients": False, "can_read_relatives": False,
        "can_read_history": False, "can_read_journal": False, "can_write_journal": False,
        "can_read_plans": False, "can_change_contacts": False, "can_view_staff": False,
        "can_view_statistics": True, "can_view_reports": False, "can_import": False,
        "can_view_access_log": False,
    },
    Role.COORDINATOR: {
        "is_administrator": False, "can_read_clients": True, "can_read_relatives": True,
        "can_read_history": True, "can_read_journal": True, "can_write_journal": True,
        "can_read_plans": True, "can_change_contacts": False, "can_view_staff": True,
        "can_view_statistics": False, "can_view_reports": True, "can_import": False,
        "can_view_access_log": False,
    },
    Role.CARE_STAFF: {
        "is_administrator": False, "can_read_clients": True, "can_read_relatives": True,
        "can_read_history": True, "can_read_journal": True, "can_write_journal": True,
        "can_read_plans": True, "can_change_contacts": False, "can_view_staff": False,
        "can_view_statistics": False, "can_view_reports": False, "can_import": False,
        "can_view_access_log": False,
    },
    Role.ADMINISTRATOR: {
        "is_administrator": True, "can_read_clients": True, "can_read_relatives": True,
        "can_read_history": True, "can_read_journal": True, "can_write_journal": False,
        "can_read_plans": True, "can_change_contacts": False, "can_view_staff": True,
        "can_view_statistics": True, "can_view_reports": True, "can_import": True,
        "can_view_access_log": True,
    },
}  # fmt: skip


def _flags(user) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    flags = access.flags(user)
    flags.pop("can_open_admin")
    return flags


@pytest.mark.parametrize("role", list(EXPECTED_FLAGS))
def test_each_role_may_do_what_the_domain_says(role):
    user = make_user(f"u-{role}", role=role, password=None)
    assert _flags(user) == EXPECTED_FLAGS[role]


def test_renaming_every_group_changes_nothing(client, unit, other_unit):
    users = {role: make_user(f"u{i}", role=role, units=[unit]) for i, role in enumerate(Role)}
    before = {role: _flags(user) for role, user in users.items()}
    for group in Group.objects.all():
        group.name = f"{group.name} (omdöpt)"
        group.save()
    for role, user in users.items():
        user = type(user).objects.get(pk=user.pk)  # a fresh permission cache
        assert _flags(user) == before[role], role
    admin = type(users[Role.ADMINISTRATOR]).objects.get(pk=users[Role.ADMINISTRATOR].pk)
    assert set(access.units_for_user(admin)) == {unit, other_unit}
    # And through a page: the renamed unit manager still edits contacts.
    person = ServiceFactory(unit=unit).client
    client.force_login(users[Role.UNIT_MANAGER])
    assert client.get(reverse("fok_edit", args=[person.pk, unit.pk])).status_code == 200


def test_a_group_named_like_a_role_grants_nothing_without_its_permissions(unit, other_unit):
    """The decisions read permissions: a group called "Administratör" whose
    permissions were taken away makes nobody an administrator."""
    Group.objects.get(name=Role.ADMINISTRATOR).permissions.clear()
    user = make_user("imposter", role=Role.ADMINISTRATOR, units=[unit])
    assert not access.sees_all_units(user)
    assert list(access.units_for_user(user)) == [unit]


def test_a_permission_given_to_a_renamed_group_counts(unit):
    group = Group.objects.create(name="Nattpatrull")
    group.permissions.add(Permission.objects.get(codename="view_client"))
    user = make_user("natt", role=None, units=[unit])
    user.groups.add(group)
    person = ServiceFactory(unit=unit).client
    assert list(access.clients_for_user(user)) == [person]


# --- need-to-know: the grace period -------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "reachable"),
    [
        (None, True),
        (TODAY + dt.timedelta(days=60), True),  # a future-dated end: still ongoing
        (TODAY, True),
        (days_ago(1), True),
        (days_ago(30), True),  # last service day + 30: the last day of the grace period
        (days_ago(31), False),  # + 31: never again
        (days_ago(400), False),
    ],
)
def test_staff_reach_a_client_until_the_grace_period_after_the_last_service_ends(
    client, unit, carer, settings, end, reachable
):
    settings.OMSORG_ACCESS_GRACE_DAYS = 30
    person = ServiceFactory(unit=unit, start=dt.date(2024, 1, 1), end=end).client
    client.force_login(carer)
    response = client.get(reverse("client_detail", args=[person.pk]))
    assert response.status_code == (200 if reachable else 404)
    assert access.clients_for_user(carer).filter(pk=person.pk).exists() is reachable


def test_the_grace_period_comes_from_the_setting(unit, carer, settings):
    person = ServiceFactory(unit=unit, start=dt.date(2024, 1, 1), end=days_ago(6)).client
    settings.OMSORG_ACCESS_GRACE_DAYS = 6
    assert access.clients_for_user(carer).filter(pk=person.pk).exists()
    settings.OMSORG_ACCESS_GRACE_DAYS = 5
    assert not access.clients_for_user(carer).filter(pk=person.pk).exists()
    settings.OMSORG_ACCESS_GRACE_DAYS = 0
    assert not access.clients_for_user(carer).filter(pk=person.pk).exists()


def test_the_last_service_counts_not_the_first(unit, carer):
    person = ServiceFactory(unit=unit, start=dt.date(2023, 1, 1), end=dt.date(2023, 6, 30)).client
    ServiceFactory(
        unit=unit, client=person, kind="alarm", start=dt.date(2024, 1, 1), end=days_ago(3)
    )
    assert access.clients_for_user(carer).filter(pk=person.pk).exists()


def test_a_service_that_starts_later_gives_access_to_prepare(unit, carer):
    person = ServiceFactory(unit=unit, start=TODAY + dt.timedelta(days=14)).client
    assert access.clients_for_user(carer).filter(pk=person.pk).exists()


def test_administrators_reach_clients_who_left_long_ago(client, unit):
    person = ServiceFactory(unit=unit, start=dt.date(2020, 1, 1), end=dt.date(2020, 12, 31)).client
    admin = make_user("admin", role=Role.ADMINISTRATOR)
    client.force_login(admin)
    assert client.get(reverse("client_detail", args=[person.pk])).status_code == 200
    assert client.get(reverse("plan_list", args=[person.pk])).status_code == 200


def _note(person, unit, text, by):  # type: ignore[no-untyped-def]
    journal_services.journal_note_create(
        client=person, unit=unit, kind=JournalNote.Kind.GENERAL,
        event_date=dt.date(2025, 2, 1), text=text, by=by,
    )  # fmt: skip


def test_a_client_on_two_units_where_one_ended_is_reached_only_through_the_other(client, settings):
    settings.OMSORG_ACCESS_GRACE_DAYS = 30
    north, south = UnitFactory(code="N", name="Norr"), UnitFactory(code="S", name="Söder")
    person = ServiceFactory(unit=north, start=dt.date(2024, 1, 1), end=days_ago(90)).client
    ServiceFactory(unit=south, client=person, start=dt.date(2024, 1, 1))
    north_staff = make_user("norr", role=Role.CARE_STAFF, units=[north])
    south_staff = make_user("soder", role=Role.CARE_STAFF, units=[south])
    both = make_user("bada", role=Role.CARE_STAFF, units=[north, south])
    writer = make_user("chef", role=Role.UNIT_MANAGER, units=[north, south])
    _note(person, north, "ANTECKNING-NORR", writer)
    _note(person, south, "ANTECKNING-SODER", writer)
    PlanFactory(client=person, unit=north, important_information="PLAN-NORR")
    PlanFactory(client=person, unit=south, important_information="PLAN-SODER")
    record = reverse("client_detail", args=[person.pk])

    client.force_login(north_staff)
    assert client.get(record).status_code == 404
    assert client.get(reverse("plan_list", args=[person.pk])).status_code == 404
    notes = client.get(reverse("journal_search"), {"unit": north.pk}).content.decode()
    assert "ANTECKNING-NORR" not in notes

    client.force_login(south_staff)
    assert client.get(record).status_code == 200

    # Through Söder the client is reached, but Norr's notes and plans stay closed.
    client.force_login(both)
    assert client.get(record).status_code == 200
    notes = client.get(reverse("journal_search"), {"client": person.pk}).content.decode()
    assert "ANTECKNING-SODER" in notes and "ANTECKNING-NORR" not in notes
    plans = client.get(reverse("plan_list", args=[person.pk])).content.decode()
    assert "PLAN-SODER" in plans and "PLAN-NORR" not in plans
    assert list(access.reachable_units_for_client(both, person)) == [south]
    # A note can be filed on Söder only.
    form = client.get(reverse("journal_note_create", args=[person.pk])).context["form"]
    assert list(form.fields["unit"].queryset) == [south]


def test_a_note_on_a_unit_the_client_left_long_ago_is_refused(client, unit, other_unit, settings):
    settings.OMSORG_ACCESS_GRACE_DAYS = 30
    person = ServiceFactory(unit=unit, start=dt.date(2024, 1, 1), end=days_ago(31)).client
    ServiceFactory(unit=other_unit, client=person, start=dt.date(2024, 1, 1))
    user = make_user("bada", role=Role.CARE_STAFF, units=[unit, other_unit])
    client.force_login(user)
    response = client.post(
        reverse("journal_note_create", args=[person.pk]),
        {"unit": unit.pk, "kind": "general", "event_date": "2025-03-01", "text": "Sent."},
    )
    assert response.status_code == 200  # the form with its error
    assert not JournalNote.objects.filter(client=person, text="Sent.").exists()


def test_notes_and_plans_are_readable_during_the_grace_period(client, unit, settings):
    settings.OMSORG_ACCESS_GRACE_DAYS = 30
    person = ServiceFactory(unit=unit, start=dt.date(2024, 1, 1), end=days_ago(30)).client
    carer = make_user("personal", role=Role.CARE_STAFF, units=[unit])
    _note(person, unit, "SISTA-ANTECKNINGEN", make_user("chef", role=Role.UNIT_MANAGER))
    plan = PlanFactory(client=person, unit=unit)
    client.force_login(carer)
    notes = client.get(reverse("journal_search"), {"client": person.pk}).content.decode()
    assert "SISTA-ANTECKNINGEN" in notes
    assert client.get(reverse("plan_print", args=[plan.pk])).status_code == 200
    # To finish the documentation: a note may still be written.
    response = client.post(
        reverse("journal_note_create", args=[person.pk]),
        {"unit": unit.pk, "kind": "general", "event_date": days_ago(30), "text": "Avslut."},
    )
    assert response.status_code == 302
    # One day later, all of it is closed.
    settings.OMSORG_ACCESS_GRACE_DAYS = 29
    assert client.get(reverse("plan_print", args=[plan.pk])).status_code == 404
    notes = client.get(reverse("journal_search"), {"unit": unit.pk}).content.decode()
    assert "SISTA-ANTECKNINGEN" not in notes


# --- the statistics reader ----------------------------------------------------------------


@pytest.fixture
def statistician(unit):
    return make_user("statistik", role=Role.STATISTICS, units=[unit])


def test_the_statistics_reader_sees_figures_and_lists_but_no_record(
    client, unit, statistician, nurse
):
    person = ServiceFactory(unit=unit, start=dt.date(2025, 1, 1)).client
    services.care_contact_change(
        client=person, unit=unit, status=CareContact.Status.ACCEPTED, ordinary=nurse,
        effective=dt.date(2025, 1, 10), by=make_user("chef", role=Role.UNIT_MANAGER),
    )  # fmt: skip
    plan = PlanFactory(client=person, unit=unit)
    client.force_login(statistician)

    page = client.get(
        reverse("fok_statistics"), {"status": "accepted", "datum": "2025-03-01", "visa": "alla"}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert person.personal_id in html and person.customer_number in html
    # The list names the client, but never links to the record.
    assert person.get_absolute_url() not in html

    refused = {
        reverse("client_detail", args=[person.pk]): 404,
        reverse("client_history", args=[person.pk]): 403,
        reverse("journal_search") + f"?unit={unit.pk}": 403,
        reverse("journal_search") + f"?client={person.pk}": 403,
        reverse("journal_note_create", args=[person.pk]): 403,
        reverse("plan_list", args=[person.pk]): 403,
        reverse("plan_print", args=[plan.pk]): 404,
        reverse("contact_letter", args=[person.pk, unit.pk]): 404,
        reverse("my_clients"): 403,
    }
    for url, status in refused.items():
        assert client.get(url).status_code == status, url
    response = client.post(
        reverse("journal_note_create", args=[person.pk]),
        {"unit": unit.pk, "kind": "general", "event_date": "2025-03-01", "text": "x"},
    )
    assert response.status_code == 403
    assert not JournalNote.objects.filter(text="x").exists()


def test_the_statistics_reader_start_page_names_no_client(client, unit, statistician):
    person = ServiceFactory(unit=unit, client__last_name="Synligsdotter").client
    client.force_login(statistician)
    html = client.get(reverse("home")).content.decode()
    assert person.last_name not in html
    assert reverse("fok_statistics") in html
    assert reverse("my_clients") not in html and reverse("journal_search") not in html


# --- who writes journal notes -------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "may_write"),
    [
        (Role.UNIT_MANAGER, True),
        (Role.COORDINATOR, True),
        (Role.CARE_STAFF, True),
        (Role.ADMINISTRATOR, False),
        (Role.STATISTICS, False),
    ],
)
def test_only_roles_that_document_write_journal_notes(client, unit, role, may_write):
    person = ServiceFactory(unit=unit).client
    user = make_user("u", role=role, units=[unit])
    client.force_login(user)
    response = client.post(
        reverse("journal_note_create", args=[person.pk]),
        {"unit": unit.pk, "kind": "general", "event_date": "2025-03-01", "text": "Samtal."},
    )
    assert response.status_code == (302 if may_write else 403)
    assert JournalNote.objects.filter(text="Samtal.").exists() is may_write


# --- another unit's contacts: current yes, history no (handbook 1.5) ---------------------


def test_another_units_current_contacts_show_but_not_its_history(client, unit, other_unit):
    person = ServiceFactory(unit=unit, start=dt.date(2025, 1, 1)).client
    ServiceFactory(unit=other_unit, client=person, start=dt.date(2025, 1, 1))
    mine = StaffFactory(units=[unit], first_name="Egen", last_name="Kontaktsson")
    theirs_before = StaffFactory(units=[other_unit], first_name="Tidigare", last_name="Andrasson")
    theirs_now = StaffFactory(units=[other_unit], first_name="Nuvarande", last_name="Andrasson")
    own_manager = make_user("chef", role=Role.UNIT_MANAGER, units=[unit])
    their_manager = make_user("chefsoder", role=Role.UNIT_MANAGER, units=[other_unit])
    their_manager.first_name, their_manager.last_name = "Hemliga", "Chefsson"
    their_manager.save()
    accepted = CareContact.Status.ACCEPTED
    services.care_contact_change(
        client=person, unit=unit, status=accepted, ordinary=mine, by=own_manager
    )
    for staff, day in ((theirs_before, 10), (theirs_now, 20)):
        services.care_contact_change(
            client=person, unit=other_unit, status=accepted, ordinary=staff,
            effective=dt.date(2025, 1, day), by=their_manager,
        )  # fmt: skip
    carer = make_user("personal", role=Role.CARE_STAFF, units=[unit])
    client.force_login(carer)

    record = client.get(reverse("client_detail", args=[person.pk]), {"flik": "fok"})
    html = record.content.decode()
    assert "Nuvarande Andrasson" in html  # the other unit's current contact
    assert "Tidigare Andrasson" not in html
    assert "Chefsson" not in html  # who changed it

    history = client.get(reverse("client_history", args=[person.pk])).content.decode()
    assert "Egen Kontaktsson" in history
    for secret in ("Tidigare Andrasson", "Nuvarande Andrasson", "Chefsson", other_unit.name):
        assert secret not in history, secret
    past = client.get(reverse("client_history", args=[person.pk]), {"per": "2025-01-15"})
    assert [s.unit for s in past.context["states"]] == [unit]
