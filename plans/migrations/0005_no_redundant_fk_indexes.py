"""Drop the indexes Django made for foreign keys that a composite index
already begins with (see the models' comments): one index fewer to keep
up on each row written, the foreign keys themselves unchanged."""
import django.db.models.deletion
from django.db import migrations, models

from omsorg.migration_ops import drop_redundant_index


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0013_no_redundant_fk_indexes'),
        ('plans', '0004_plan_version'),
    ]

    operations = [
        drop_redundant_index(
            migrations.AlterField(
                model_name='implementationplan',
                name='client',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='plans', to='contacts.client', verbose_name='brukare'),
            ),
            table='plans_implementationplan',
            index='plans_implementationplan_client_id_a4d221a4',
            column='client_id',
        ),
        drop_redundant_index(
            migrations.AlterField(
                model_name='implementationplan',
                name='unit',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='plans', to='contacts.unit', verbose_name='enhet'),
            ),
            table='plans_implementationplan',
            index='plans_implementationplan_unit_id_1c4d7647',
            column='unit_id',
        ),
    ]
