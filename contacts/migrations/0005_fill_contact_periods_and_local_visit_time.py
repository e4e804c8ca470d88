"""Fill the new columns of 0004: the period each contact change is in force,
and each visit's local (Europe/Stockholm) date and time."""

from zoneinfo import ZoneInfo

from django.db import migrations

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def link_periods(apps, schema_editor):
    """valid_until of every change: the effective date of the next change of
    the same client and unit in (effective, id) order."""
    Change = apps.get_model("contacts", "CareContactChange")
    previous = None
    changed = []
    rows = Change.objects.order_by("client_id", "unit_id", "effective", "id")
    for change in rows.iterator(chunk_size=5000):
        if previous is not None and (previous.client_id, previous.unit_id) == (
            change.client_id,
            change.unit_id,
        ):
            previous.valid_until = change.effective
            changed.append(previous)
        previous = change
        if len(changed) >= 5000:
            Change.objects.bulk_update(changed, ["valid_until"])
            changed = []
    Change.objects.bulk_update(changed, ["valid_until"])


def set_local_start(apps, schema_editor):
    Visit = apps.get_model("contacts", "Visit")
    batch = []
    for visit in Visit.objects.only("id", "start").iterator(chunk_size=5000):
        local = visit.start.astimezone(STOCKHOLM)
        visit.local_date = local.date()
        visit.local_time = local.time().replace(tzinfo=None)
        batch.append(visit)
        if len(batch) >= 5000:
            Visit.objects.bulk_update(batch, ["local_date", "local_time"])
            batch = []
    Visit.objects.bulk_update(batch, ["local_date", "local_time"])


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0004_contact_history_periods_and_local_visit_time"),
    ]

    operations = [
        migrations.RunPython(link_periods, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(set_local_start, migrations.RunPython.noop, elidable=True),
    ]
