from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("infrastructure", "0001_initial"),
        ("core", "0004_pending_task_moved"),
    ]

    operations = [
        migrations.AlterModelTable(name="pendingtask", table=None),
    ]
