from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from contacts.models import Client, Provider, Relative, Service, Staff, Unit, Visit
from contacts.personal_id import make_test_personnummer
from contacts.roles import Role


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"P{n}")
    name = factory.Sequence(lambda n: f"Utförare {n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    # Not "U<n>": tests name their own units U1, U2 …, and get_or_create on
    # the code would hand a test's "new" unit back as one of those (a stranger
    # unit that was the user's own, depending on which tests ran before).
    code = factory.Sequence(lambda n: f"UF{n}")
    name = factory.Sequence(lambda n: f"Hemtjänst {n}")
    provider = factory.SubFactory(ProviderFactory)


class StaffFactory(factory.django.DjangoModelFactory):
    """An undersköterska who may be appointed (certificate, selectable, available)."""

    class Meta:
        model = Staff
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    signature = factory.Sequence(lambda n: f"sig{n:03d}")
    title = Staff.Title.ASSISTANT_NURSE
    phone = factory.Sequence(lambda n: f"070-000 {n:04d}")
    email = factory.LazyAttribute(lambda o: f"{o.signature}@example.org")
    available = True
    fok_selectable = True
    title_certificate_date = dt.date(2023, 1, 15)

    @factory.post_generation
    def units(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            self.units.set(extracted)


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    customer_number = factory.Sequence(lambda n: f"{6000000 + n}")
    personal_id = factory.Sequence(
        lambda n: make_test_personnummer(
            dt.date(1930 + n % 60, 1 + n % 12, 1 + n % 28), n, female=n % 2 == 0
        )
    )
    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    birth_date = dt.date(1900, 1, 1)  # replaced from personal_id on save


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    client = factory.SubFactory(ClientFactory)
    unit = factory.SubFactory(UnitFactory)
    kind = Service.Kind.PERSONAL_CARE
    start = dt.date(2025, 1, 1)
    end = None


class RelativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relative

    client = factory.SubFactory(ClientFactory)
    name = factory.Faker("name", locale="sv_SE")
    relation = "Dotter"
    consent_to_contact = True


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit
        skip_postgeneration_save = True

    visit_id = factory.Sequence(lambda n: f"V{n}")
    client = factory.SubFactory(ClientFactory)
    unit = factory.SubFactory(UnitFactory)
    start = factory.Sequence(
        lambda n: dt.datetime(2025, 2, 1, 8, 0, tzinfo=dt.UTC) + dt.timedelta(hours=n)
    )
    status = Visit.Status.PERFORMED
    kind = Visit.Kind.CARE

    @factory.post_generation
    def staff(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            self.staff.set(extracted)

    @factory.post_generation
    def planned_staff(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            self.planned_staff.set(extracted)


def make_user(username: str, *, role: str | None = Role.CARE_STAFF, units=(), password="pw"):
    """A user with one role (a Django group) on the given units."""
    user = get_user_model().objects.create_user(
        username=username, password=password, first_name=username.title()
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    for unit in units:
        unit.members.add(user)
    return user


def contact_now(client, unit, on=None):
    """The CareContactChange in force for ``client`` on ``unit`` today (or on
    ``on``), from the contact history; None when the client is "not asked"."""
    from django.utils import timezone

    from contacts import history

    return (
        history.in_force(on or timezone.localdate())
        .filter(client=client, unit=unit)
        .select_related("ordinary", "deputy")
        .first()
    )


def status_now(client, unit, on=None) -> str:
    change = contact_now(client, unit, on)
    return change.status if change is not None else "not_asked"
