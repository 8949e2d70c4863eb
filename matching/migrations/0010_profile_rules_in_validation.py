# The profile's interests length and distance range moved to matching.validation,
# the one validator of every channel (checked by ResidentProfile.clean). The data stay.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0009_pseudonymise_log_labels"),
    ]

    operations = [
        migrations.AlterField(
            model_name="residentprofile",
            name="interests",
            field=models.TextField(blank=True, verbose_name="interests"),
        ),
        migrations.AlterField(
            model_name="residentprofile",
            name="max_km",
            field=models.DecimalField(
                decimal_places=1, default=3, max_digits=4, verbose_name="maximum distance (km)"
            ),
        ),
    ]
