"""No lost updates: the second of two saves based on the same version is
refused with who saved in between, nothing is lost, and a second try after
reviewing goes through (issue: trust)."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from contacts import history, services
from contacts.models import CareContactChange
from contacts.roles import Role
from plans import services as plan_services
from plans.models import ImplementationPlan
from tests.contacts.factories import ServiceFactory, StaffFactory, contact_now, make_user
from tests.plans.factories import PlanFactory

CONFLICT = "medan du redigerade — granska och spara igen."


@pytest.fixture
def world(db, unit):
    client = ServiceFactory(unit=unit, start=dt.date(2025, 1, 1)).client
    britta = StaffFactory(units=[unit], first_name="Britta", last_name="Söder", signature="brs89")
    greta = StaffFactory(units=[unit], first_name="Greta", last_name="Olsson", signature="greal")
    first = make_user("chef1", role=Role.UNIT_MANAGER, units=[unit])
    second = make_user("chef2", role=Role.UNIT_MANAGER, units=[unit])
    return client, britta, greta, first, second


def _version_in(response):
    return response.context["form"]["version"].value()


def test_the_second_of_two_managers_is_told_and_nothing_is_lost(world, unit, django_app_client):
    client, britta, greta, first, second = world
    url = reverse("fok_edit", args=[client.pk, unit.pk])
    a, b = django_app_client(first), django_app_client(second)
    version_a = _version_in(a.get(url))
    version_b = _version_in(b.get(url))
    assert version_a == version_b == 0

    saved = a.post(url, {"status": "accepted", "ordinary": britta.pk, "version": version_a})
    assert saved.status_code == 302

    refused = b.post(url, {"status": "accepted", "ordinary": greta.pk, "version": version_b})
    assert refused.status_code == 200
    html = refused.content.decode()
    when = timezone.localtime(CareContactChange.objects.get().changed_at).strftime("%H:%M")
    assert f"Ändrad av Chef1 kl. {when} {CONFLICT}" in html
    assert "Sparat nu: Brukaren tackar ja, ordinarie Britta Söder (@brs89)." in html
    # Nothing written for the second manager, whose choice is still in the form.
    assert CareContactChange.objects.count() == 1
    assert contact_now(client, unit).ordinary == britta
    assert f'<option value="{greta.pk}" selected>' in html
    # After reviewing, saving again goes through.
    again = b.post(
        url, {"status": "accepted", "ordinary": greta.pk, "version": _version_in(refused)}
    )
    assert again.status_code == 302
    assert contact_now(client, unit).ordinary == greta


@pytest.fixture
def django_app_client():
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_never_both_succeed(unit):
    """Two real transactions at once, in two threads with their own database
    connections, both based on the same version: each round exactly one is
    saved and the other is refused."""
    client = ServiceFactory(unit=unit, start=dt.date(2025, 1, 1)).client
    rounds = 10
    for n in range(rounds):
        # Two people nobody has chosen yet: each save is a real change.
        people = [StaffFactory(units=[unit]) for _ in range(2)]
        version = history.version(client=client, unit=unit)
        barrier = threading.Barrier(2)
        outcome: list[str] = []

        def save(person, version=version, barrier=barrier, outcome=outcome, n=n):
            try:
                barrier.wait(timeout=10)
                services.care_contact_change(
                    client=client,
                    unit=unit,
                    status="accepted",
                    ordinary=person,
                    effective=dt.date(2025, 2, 1) + dt.timedelta(days=n),
                    expected_version=version,
                )
                outcome.append("saved")
            except services.EditConflict:
                outcome.append("refused")
            finally:
                connections.close_all()

        threads = [threading.Thread(target=save, args=(person,)) for person in people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcome) == ["refused", "saved"], f"round {n}: {outcome}"
    assert CareContactChange.objects.filter(client=client).count() == rounds
    connection.close()


def test_a_plan_saved_by_someone_else_meanwhile_is_not_overwritten(world, unit, django_app_client):
    client, _britta, _greta, first, second = world
    plan = PlanFactory(client=client, unit=unit, period_start=dt.date(2025, 1, 1))
    url = reverse("plan_edit", args=[plan.pk])
    a, b = django_app_client(first), django_app_client(second)
    form_a = a.get(url).context["form"]
    form_b = b.get(url).context["form"]
    data = {
        "period_start": "2025-01-01",
        "period_end": "",
        "established": "2025-01-02",
        "participated": "ja",
        "participation_comment": "",
        "follow_up_date": "",
    }
    saved = a.post(
        url, {**data, "important_information": "Från chef 1", "version": form_a["version"].value()}
    )
    assert saved.status_code == 302
    refused = b.post(
        url, {**data, "important_information": "Från chef 2", "version": form_b["version"].value()}
    )
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Ändrad av Chef1 kl." in html and CONFLICT in html
    assert "Från chef 2" in html  # the second manager's text is still there
    plan.refresh_from_db()
    assert plan.important_information == "Från chef 1"
    again = b.post(
        url,
        {
            **data,
            "important_information": "Från chef 2",
            "version": refused.context["form"]["version"].value(),
        },
    )
    assert again.status_code == 302
    plan.refresh_from_db()
    assert plan.important_information == "Från chef 2"


def test_ending_a_plan_someone_just_edited_is_refused(world, unit):
    client, _britta, _greta, first, second = world
    plan = PlanFactory(client=client, unit=unit, period_start=dt.date(2025, 1, 1))
    shown = plan.version
    plan_services.plan_update(
        plan=plan,
        by=first,
        expected_version=shown,
        period_start=dt.date(2025, 1, 1),
        established=dt.date(2025, 1, 2),
        participated=True,
        important_information="Ändrad",
    )
    with pytest.raises(services.EditConflict):
        plan_services.plan_end(
            plan=plan, end=dt.date(2025, 6, 30), by=second, expected_version=shown
        )
    assert ImplementationPlan.objects.get(pk=plan.pk).period_end is None
