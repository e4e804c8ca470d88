"""Drop the indexes Django made for foreign keys that a composite index
already begins with (see the models' comments): one index fewer to keep
up on each row written, the foreign keys themselves unchanged."""
import django.db.models.deletion
from django.db import migrations, models

from omsorg.migration_ops import drop_redundant_index


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0013_no_redundant_fk_indexes'),
        ('journal', '0002_notes_newest_event_first'),
    ]

    operations = [
        drop_redundant_index(
            migrations.AlterField(
                model_name='journalnote',
                name='client',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='journal_notes', to='contacts.client', verbose_name='brukare'),
            ),
            table='journal_journalnote',
            index='journal_journalnote_client_id_13ea22ec',
            column='client_id',
        ),
        drop_redundant_index(
            migrations.AlterField(
                model_name='journalnote',
                name='unit',
                field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='journal_notes', to='contacts.unit', verbose_name='enhet'),
            ),
            table='journal_journalnote',
            index='journal_journalnote_unit_id_1f649ea6',
            column='unit_id',
        ),
    ]
