"""Drop the indexes Django made for foreign keys that a composite index
already begins with (see the models' comments): one index fewer to keep
up on each row written, the foreign keys themselves unchanged."""
import django.db.models.deletion
from django.db import migrations, models

from omsorg.migration_ops import drop_redundant_index


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0013_no_redundant_fk_indexes'),
        ('rota', '0001_initial'),
    ]

    operations = [
        drop_redundant_index(
            migrations.AlterField(
                model_name='rotaprintout',
                name='client',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='rota_printouts', to='contacts.client', verbose_name='brukare'),
            ),
            table='rota_rotaprintout',
            index='rota_rotaprintout_client_id_14107d01',
            column='client_id',
        ),
    ]
