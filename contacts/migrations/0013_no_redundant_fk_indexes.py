"""Drop the indexes Django made for foreign keys that a composite index
already begins with (see the models' comments): one index fewer to keep
up on each row written, the foreign keys themselves unchanged."""
import django.db.models.deletion
from django.db import migrations, models

from omsorg.migration_ops import drop_redundant_index


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0012_visit_team'),
    ]

    operations = [
        drop_redundant_index(
            migrations.AlterField(
                model_name='carecontact',
                name='client',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='care_contacts', to='contacts.client', verbose_name='brukare'),
            ),
            table='contacts_carecontact',
            index='contacts_carecontact_client_id_9bb6d78b',
            column='client_id',
        ),
        drop_redundant_index(
            migrations.AlterField(
                model_name='carecontactchange',
                name='unit',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contacts.unit'),
            ),
            table='contacts_carecontactchange',
            index='contacts_carecontactchange_unit_id_a5452496',
            column='unit_id',
        ),
        drop_redundant_index(
            migrations.AlterField(
                model_name='clientmove',
                name='to_unit',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='moves_in', to='contacts.unit', verbose_name='till enhet'),
            ),
            table='contacts_clientmove',
            index='contacts_clientmove_to_unit_id_9a54a89c',
            column='to_unit_id',
        ),
        drop_redundant_index(
            migrations.AlterField(
                model_name='contactchangerequest',
                name='unit',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='contact_requests', to='contacts.unit', verbose_name='enhet'),
            ),
            table='contacts_contactchangerequest',
            index='contacts_contactchangerequest_unit_id_3c1004a9',
            column='unit_id',
        ),
        drop_redundant_index(
            migrations.AlterField(
                model_name='service',
                name='client',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='services', to='contacts.client', verbose_name='brukare'),
            ),
            table='contacts_service',
            index='contacts_service_client_id_5ae077bf',
            column='client_id',
        ),
        drop_redundant_index(
            migrations.AlterField(
                model_name='service',
                name='unit',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='services', to='contacts.unit', verbose_name='enhet'),
            ),
            table='contacts_service',
            index='contacts_service_unit_id_e1742155',
            column='unit_id',
        ),
        drop_redundant_index(
            migrations.AlterField(
                model_name='visit',
                name='client',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='visits', to='contacts.client', verbose_name='brukare'),
            ),
            table='contacts_visit',
            index='contacts_visit_client_id_56f07aae',
            column='client_id',
        ),
        drop_redundant_index(
            migrations.AlterField(
                model_name='visit',
                name='unit',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='visits', to='contacts.unit', verbose_name='enhet'),
            ),
            table='contacts_visit',
            index='contacts_visit_unit_id_6b781880',
            column='unit_id',
        ),
    ]
