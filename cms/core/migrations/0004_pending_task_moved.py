# PendingTask now belongs to cms.infrastructure (its 0001 takes over the table).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_pending_task"),
        ("infrastructure", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="PendingTask")],
        ),
    ]
