from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0005_fill_contact_periods_and_local_visit_time"),
    ]

    operations = [
        migrations.AlterField(
            model_name='visit',
            name='local_date',
            field=models.DateField(editable=False, verbose_name='datum'),
        ),
        migrations.AlterField(
            model_name='visit',
            name='local_time',
            field=models.TimeField(editable=False, verbose_name='klockslag'),
        ),
    ]
