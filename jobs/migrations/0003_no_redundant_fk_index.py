"""Drop the indexes Django made for foreign keys that a composite index
already begins with (see the models' comments): one index fewer to keep
up on each row written, the foreign keys themselves unchanged."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from omsorg.migration_ops import drop_redundant_index


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0002_kolada_csv_kind'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        drop_redundant_index(
            migrations.AlterField(
                model_name='job',
                name='user',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='jobs', to=settings.AUTH_USER_MODEL),
            ),
            table='jobs_job',
            index='jobs_job_user_id_093659ab',
            column='user_id',
        ),
    ]
