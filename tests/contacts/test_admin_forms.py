"""The admin forms changed for accessibility (issue 12) still read and write
their values: a visit's start and end as one date-and-time field each."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.utils import timezone

from contacts.models import Visit
from tests.contacts.factories import VisitFactory, make_user

pytestmark = pytest.mark.django_db


def test_a_visit_is_edited_with_one_labelled_field_per_date_and_time(unit):
    visit = VisitFactory(
        unit=unit,
        start=dt.datetime(2025, 2, 3, 7, 30, tzinfo=dt.UTC),
        end=dt.datetime(2025, 2, 3, 8, 0, tzinfo=dt.UTC),
    )
    request = RequestFactory().get("/")
    request.user = make_user("admin", role=None, password=None)
    model_admin = admin.site._registry[Visit]
    form_class = model_admin.get_form(request, visit)
    html = str(form_class(instance=visit)["start"])
    local = timezone.localtime(visit.start).strftime("%Y-%m-%dT%H:%M")
    assert 'type="datetime-local"' in html and f'value="{local}"' in html

    data = {name: form_class(instance=visit)[name].value() for name in form_class.base_fields}
    data.update(start="2025-02-03T09:15", end="2025-02-03T09:45")
    data = {k: v for k, v in data.items() if v is not None}
    form = form_class(data=data, instance=visit)
    assert form.is_valid(), form.errors
    assert timezone.localtime(form.cleaned_data["start"]).strftime("%H:%M") == "09:15"
