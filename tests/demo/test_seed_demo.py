"""manage.py seed_demo: believable, valid and idempotent demo data.

The command runs once per module (twice, to check idempotency) inside an outer
transaction that is rolled back afterwards; each test reads the seeded data
inside its own nested transaction."""

import datetime as dt
import io
from collections import defaultdict

import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from contacts import history, selectors, visit_team
from contacts import personal_id as pid
from contacts.models import (
    CareContact,
    CareContactChange,
    Client,
    Relative,
    Service,
    Staff,
    Unit,
    Visit,
)
from contacts.roles import Role
from plans.models import ImplementationPlan
from plans.selectors import with_contacts

CLIENTS = 40  # two full blocks of the 20 client profiles
PLANNED_DAYS = 14


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models(include_auto_created=True)
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    today = timezone.localdate()
    with django_db_blocker.unblock(), transaction.atomic():
        first = io.StringIO()
        call_command("seed_demo", clients=CLIENTS, today=today, stdout=first)
        after_first = _counts()
        second = io.StringIO()
        call_command("seed_demo", clients=CLIENTS, today=today, stdout=second)
        after_second = _counts()
        yield {
            "today": today,
            "first": first.getvalue(),
            "second": second.getvalue(),
            "after_first": after_first,
            "after_second": after_second,
        }
        transaction.set_rollback(True)


@pytest.fixture
def data(seeded, db):
    return seeded


def test_second_run_adds_nothing(data):
    assert data["after_first"]["contacts.Visit"] > 1000
    assert data["after_first"]["contacts.Client"] == CLIENTS
    assert data["after_second"] == data["after_first"]
    assert "Demodata fanns redan" in data["second"]
    assert "Besök:" in data["second"] and "(0 nya)" in data["second"]


def test_progress_and_login_table_are_printed(data):
    out = data["first"]
    for line in (
        "Enheter: 6 (6 nya)",
        "Personal: 60 (60 nya)",
        f"Brukare: {CLIENTS} ({CLIENTS} nya)",
        # Progress through the slow part.
        f"kontakthistorik och planer: {CLIENTS} av {CLIENTS} brukare",
    ):
        assert line in out
    table = out[out.index("Demoinloggningar") :]
    for username in ("chef", "chef2", "statistik", "samordnare", "personal", "admin"):
        assert f"  {username} " in table
    assert "Hemtjänst Centrum, Hemtjänst Norra" in table


def test_units_providers_and_care_types(data):
    units = Unit.objects.select_related("provider", "care_type")
    assert units.count() == 6
    assert {u.provider.name for u in units} == {
        "Ekdala kommun, egen regi",
        "Omsorgshuset i Ekdala AB",
    }
    assert {u.care_type.code for u in units} == {"hemtjanst", "sarskilt-boende"}
    assert units.get(name="Hemtjänst Centrum").care_type.code == "hemtjanst"
    assert units.get(name="Lindens särskilda boende").care_type.code == "sarskilt-boende"


def test_every_role_has_a_login_that_authenticates(data):
    expected = {
        "chef": (Role.UNIT_MANAGER, {"Hemtjänst Centrum", "Hemtjänst Norra"}),
        "chef2": (Role.UNIT_MANAGER, {"Hemtjänst Södra"}),
        "statistik": (Role.STATISTICS, None),
        "samordnare": (Role.COORDINATOR, None),
        "personal": (Role.CARE_STAFF, {"Hemtjänst Centrum"}),
        "admin": (Role.ADMINISTRATOR, set()),
    }
    for username, (role, unit_names) in expected.items():
        user = authenticate(username=username, password="demo")
        assert user is not None, username
        assert user.first_name and user.last_name
        assert list(user.groups.values_list("name", flat=True)) == [role]
        if unit_names is not None:
            assert set(user.units.values_list("name", flat=True)) == unit_names
    admin = authenticate(username="admin", password="demo")
    assert admin.is_staff and admin.is_superuser
    assert authenticate(username="chef", password="fel") is None
    # The care-staff login is an undersköterska the app can find by user.
    carer = Staff.objects.get(user__username="personal")
    assert carer.title == Staff.Title.ASSISTANT_NURSE
    assert carer.units.filter(name="Hemtjänst Centrum").exists()
    assert history.in_force(data["today"]).filter(ordinary=carer).exists()


def test_staff_mix_with_may_and_may_not_be_appointed(data):
    today = data["today"]
    staff = list(Staff.objects.prefetch_related("units"))
    assert 55 <= len(staff) <= 65
    titles = {s.title for s in staff}
    assert {
        Staff.Title.ASSISTANT_NURSE,
        Staff.Title.CARE_AIDE,
        Staff.Title.NURSE,
        Staff.Title.UNIT_MANAGER,
        Staff.Title.COORDINATOR,
    } <= titles
    assert sum(s.title == Staff.Title.ASSISTANT_NURSE for s in staff) > len(staff) / 2
    appointable = [s for s in staff if s.may_be_appointed(today)]
    assert appointable and len(appointable) < len(staff)
    nurses = [s for s in staff if s.title == Staff.Title.ASSISTANT_NURSE]
    # Every kind of obstacle is represented among the undersköterskor.
    assert any(not s.available for s in nurses)
    assert any(not s.fok_selectable for s in nurses)
    assert any(s.title_certificate_date is None and not s.permanent_on_2023_07_01 for s in nurses)
    # Some may only be appointed under the transitional rule.
    assert any(s.permanent_on_2023_07_01 and s.title_certificate_date is None for s in appointable)
    assert any(s.title_certificate_date is not None for s in appointable)
    assert all(1 <= len(s.units.all()) <= 2 for s in staff)
    assert any(len(s.units.all()) == 2 for s in staff)
    assert sum(bool(s.phone and s.email) for s in staff) > len(staff) * 0.8
    for s in staff:
        assert pid.parse(s.personal_id).kind == pid.Kind.PERSONNUMMER
        assert s.signature.isalnum() and s.signature == s.signature.lower()


def test_clients_ids_ages_relatives_and_flags(data):
    today = data["today"]
    clients = list(Client.objects.all())
    kinds = [pid.parse(c.personal_id).kind for c in clients]
    assert kinds.count(pid.Kind.PERSONNUMMER) > CLIENTS * 0.8
    assert pid.Kind.SAMORDNINGSNUMMER in kinds
    assert pid.Kind.RESERVNUMMER in kinds
    for client in clients:
        # Skatteverket's test range: birth numbers 980–999.
        if pid.parse(client.personal_id).kind == pid.Kind.PERSONNUMMER:
            assert client.personal_id[9:11] == "98" or client.personal_id[9:11] == "99"
    ages = [c.age_on(today) for c in clients]
    assert sum(a >= 65 for a in ages) > CLIENTS * 0.7
    assert any(a < 65 for a in ages)
    assert any(64 <= a <= 65 for a in ages)
    assert Relative.objects.exists()
    assert Relative.objects.filter(legal_representative=True).exists() or any(
        c.cognitive_impairment for c in clients
    )
    assert any(c.cognitive_impairment for c in clients)
    assert any(c.small_social_network for c in clients)
    assert sum(bool(c.phone and c.address) for c in clients) > CLIENTS * 0.7


def test_services_of_many_kinds_ongoing_and_ended(data):
    today = data["today"]
    kinds = set(Service.objects.values_list("kind", flat=True))
    assert {
        Service.Kind.PERSONAL_CARE,
        Service.Kind.ALARM,
        Service.Kind.MEALS,
        Service.Kind.CLEANING,
        Service.Kind.ESCORT,
    } <= kinds
    assert (
        Service.objects.filter(end__isnull=True).count()
        > Service.objects.filter(end__lt=today).count()
    )
    assert Service.objects.filter(end__lt=today).exists()
    # Some clients on two units at the same time (and some moved between units).
    on_two = Client.objects.annotate(
        n=Count("services__unit", distinct=True, filter=Service.ongoing_q(today, "services__"))
    ).filter(n=2)
    assert on_two.exists()
    # Alarm-only and meals-only clients.
    only = defaultdict(set)
    for client_id, kind in Service.objects.values_list("client_id", "kind"):
        only[client_id].add(kind)
    assert {Service.Kind.ALARM} in only.values()
    assert {Service.Kind.MEALS} in only.values()


def test_all_four_statuses_with_history_by_the_unit_managers(data):
    now = history.in_force(data["today"])
    statuses = set(now.values_list("status", flat=True))
    assert statuses == set(CareContact.Status.values)
    declined = now.filter(status=CareContact.Status.DECLINED)
    assert declined.exists() and all(c.decline_reason for c in declined)
    accepted = now.filter(status=CareContact.Status.ACCEPTED)
    with_deputy = accepted.filter(deputy__isnull=False).count()
    assert with_deputy > accepted.count() / 2
    # Registered by named managers, with past dates.
    browser = CareContactChange.objects.filter(source=CareContactChange.Source.BROWSER)
    assert not browser.filter(changed_by__isnull=True).exists()
    assert set(browser.values_list("changed_by__username", flat=True)) <= {
        "chef",
        "chef2",
        "chef3",
        "chef4",
    }
    managers = get_user_model().objects.filter(username__in=["chef", "chef2", "chef3", "chef4"])
    assert all(u.get_full_name() for u in managers)
    assert CareContactChange.objects.filter(effective__lte=data["today"]).count() == (
        CareContactChange.objects.count()
    )
    # Some changed their ordinary contact during the last year.
    year_ago = data["today"] - dt.timedelta(days=365)
    assert (
        CareContactChange.objects.filter(
            effective__gte=year_ago, status="accepted", old_status="accepted"
        )
        .exclude(ordinary=F("old_ordinary"))
        .exists()
    )
    # Clients not yet asked, on home-care units, are left for the start page.
    home_care = Unit.objects.filter(care_type__code="hemtjanst")
    assert any(selectors.not_handled_clients(u, data["today"]).exists() for u in home_care)
    # When an execution ended, the links there were removed by the system.
    assert CareContactChange.objects.filter(
        source=CareContactChange.Source.SYSTEM, status="not_asked", old_ordinary__isnull=False
    ).exists()


def test_every_appointed_contact_was_valid_on_its_date(data):
    changes = CareContactChange.objects.filter(status="accepted").select_related(
        "ordinary", "deputy", "unit"
    )
    assert changes.count() >= 10
    members = defaultdict(set)
    for staff_id, unit_id in Staff.units.through.objects.values_list("staff_id", "unit_id"):
        members[unit_id].add(staff_id)
    for change in changes:
        for staff in (change.ordinary, change.deputy):
            if staff is None:
                continue
            assert staff.pk in members[change.unit_id], (change, staff)
            assert staff.may_be_appointed(change.effective), (change, staff)
        assert change.ordinary is not None
        assert change.deputy_id != change.ordinary_id


def test_visits_have_the_usual_variety(data):
    # Each visit's team is kept on it (contacts.visit_team) from the start.
    assert visit_team.mismatched() == []
    today = data["today"]
    visits = Visit.objects.annotate(n_staff=Count("staff", distinct=True))
    first_day = today - dt.timedelta(days=27)
    tz = timezone.get_current_timezone()
    assert not visits.filter(start__lt=dt.datetime.combine(first_day, dt.time(0), tzinfo=tz))
    # Ahead of today only planned visits, for the two weeks "Vem kommer?" shows.
    tomorrow = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    assert not visits.filter(start__gte=tomorrow).exclude(status=Visit.Status.PLANNED)
    assert not visits.filter(start__gte=tomorrow + dt.timedelta(days=PLANNED_DAYS))
    performed = visits.filter(status=Visit.Status.PERFORMED)
    assert performed.filter(n_staff=2, kind=Visit.Kind.CARE).exists()  # double staffing
    assert visits.filter(status=Visit.Status.CANCELLED).exists()
    assert visits.filter(status=Visit.Status.DECLINED).exists()
    assert performed.filter(kind=Visit.Kind.ALARM).exists()
    assert performed.filter(kind=Visit.Kind.MEAL).exists()
    assert performed.filter(kind=Visit.Kind.HEALTH).exists()
    assert performed.filter(n_staff=0).exists()
    assert performed.filter(receipt=Visit.Receipt.INCOMPLETE).exists()
    assert performed.filter(registered_afterwards=True).exists()
    # Night visits and a planned performer who was replaced.
    assert any(timezone.localtime(v.start).hour < 6 for v in performed.only("start"))
    replaced = (
        Visit.objects.filter(status=Visit.Status.PERFORMED)
        .exclude(planned_staff=None)
        .exclude(staff=None)
        .prefetch_related("staff", "planned_staff")
    )
    assert any(
        {s.pk for s in v.staff.all()} != {s.pk for s in v.planned_staff.all()} for v in replaced
    )
    # Performed by staff of the visit's unit.
    members = set(Staff.units.through.objects.values_list("staff_id", "unit_id"))
    for staff_id, unit_id in Visit.staff.through.objects.values_list("staff_id", "visit__unit_id"):
        assert (staff_id, unit_id) in members
    # The ordinary contact of the day does a good share of the care visits.
    ordinary_of = {
        (c.client_id, c.unit_id): c.ordinary_id
        for c in history.in_force(today).filter(status="accepted")
    }
    recent = Visit.objects.filter(
        kind=Visit.Kind.CARE,
        status=Visit.Status.PERFORMED,
        start__gte=dt.datetime.combine(today - dt.timedelta(days=6), dt.time(0), tzinfo=tz),
    ).prefetch_related("staff")
    shares = [
        ordinary_of[(v.client_id, v.unit_id)] in {s.pk for s in v.staff.all()}
        for v in recent
        if (v.client_id, v.unit_id) in ordinary_of
    ]
    assert 0.3 < sum(shares) / len(shares) < 0.8


def test_the_next_two_weeks_have_planned_visits_for_who_is_coming(data):
    """ "Vem kommer?" shows the coming visits with the staff planned for them."""
    from rota.selectors import week_monday, week_sheet

    today = data["today"]
    tz = timezone.get_current_timezone()
    tomorrow = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    planned = Visit.objects.filter(status=Visit.Status.PLANNED, start__gte=tomorrow)
    last = timezone.localtime(planned.order_by("-start").first().start).date()
    assert last == today + dt.timedelta(days=PLANNED_DAYS)
    assert not planned.filter(planned_staff=None).exists()
    assert not planned.exclude(staff=None).exists()  # nobody has done them yet
    visit = planned.filter(kind=Visit.Kind.CARE).first()
    next_week = week_monday(today) + dt.timedelta(days=7)
    sheet = week_sheet(client=visit.client, unit=visit.unit, week_start=next_week)
    assert sheet.lines


def test_most_ongoing_clients_have_a_plan_showing_their_contacts(data):
    plans = ImplementationPlan.objects.filter(period_end__isnull=True)
    assert plans.count() > CLIENTS / 2
    current = {(c.client_id, c.unit_id): c for c in history.in_force(data["today"])}
    shown = 0
    for plan in with_contacts(list(plans), data["today"]):
        contact = current.get((plan.client_id, plan.unit_id))
        if contact is not None and contact.status == CareContact.Status.ACCEPTED:
            # Handbook 1.7: the active plan shows the current contacts.
            assert (plan.ordinary, plan.deputy) == (contact.ordinary, contact.deputy)
            shown += 1
        assert plan.established <= data["today"]
        assert plan.participated is not None
    assert shown > 0


def _last_two_full_weeks(today: dt.date) -> tuple[dt.date, dt.date]:
    """Monday–Sunday twice, ending on the last Sunday before today."""
    days_since_sunday = (today.weekday() + 1) % 7
    end = today - dt.timedelta(days=days_since_sunday or 7)
    return end - dt.timedelta(days=13), end


def test_some_clients_are_eligible_for_the_national_14_day_measure(data):
    start, end = _last_two_full_weeks(data["today"])
    assert start.weekday() == 0 and end.weekday() == 6
    tz = timezone.get_current_timezone()
    included = (
        Visit.objects.filter(
            status=Visit.Status.PERFORMED,
            staff__isnull=False,
            start__gte=dt.datetime.combine(start, dt.time(0), tzinfo=tz),
            start__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=tz),
        )
        .exclude(kind__in=[Visit.Kind.ALARM, Visit.Kind.MEAL, Visit.Kind.HEALTH])
        .distinct()
        .select_related("client")
    )
    per_day: dict[Client, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    for visit in included:
        local = timezone.localtime(visit.start)
        if dt.time(7) <= local.time() <= dt.time(22):
            per_day[visit.client][local.date()] += 1
    eligible = [
        client
        for client, days in per_day.items()
        if client.age_on(start) >= 65
        and all(days[start + dt.timedelta(days=n)] >= 2 for n in range(14))
    ]
    assert len(eligible) >= 3
    # Not everyone: clients with fewer visits are not eligible.
    assert len(eligible) < len(per_day)


@pytest.mark.production_hashers
def test_every_demo_login_works_through_the_login_page_with_argon2(data):
    """Through the real login page, with django-axes watching: password "demo"."""
    from django.test import Client as HttpClient
    from django.urls import reverse

    for username in ("chef", "chef2", "statistik", "samordnare", "personal", "admin"):
        http = HttpClient()
        response = http.post(reverse("login"), {"username": username, "password": "demo"})
        assert response.status_code == 302, username
        assert response.url == reverse("home")
        user = get_user_model().objects.get(username=username)
        assert user.password.startswith("argon2$"), username
