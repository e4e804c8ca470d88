from __future__ import annotations

import datetime as dt

import factory

from plans.models import ImplementationPlan
from tests.contacts.factories import ClientFactory, UnitFactory


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImplementationPlan

    client = factory.SubFactory(ClientFactory)
    unit = factory.SubFactory(UnitFactory)
    period_start = dt.date(2025, 1, 10)
    period_end = None
    established = factory.LazyAttribute(lambda o: o.period_start)
    participated = True
