# Wagtail's log entries written before residents' records were named by
# number (matching/signal_handlers.pseudonymise_log_label) carry residents'
# names in their labels: rename them the same way.

from django.db import migrations
from django.utils import translation


def pseudonymise(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ModelLogEntry = apps.get_model("wagtailcore", "ModelLogEntry")
    with translation.override("ja"):
        for model_name in ("residentprofile", "suggestion"):
            content_type = ContentType.objects.filter(app_label="matching", model=model_name).first()
            if content_type is None:
                continue
            verbose_name = translation.gettext(
                apps.get_model("matching", model_name)._meta.verbose_name
            )
            entries = ModelLogEntry.objects.filter(content_type=content_type)
            for entry in entries.only("pk", "object_id").iterator():
                ModelLogEntry.objects.filter(pk=entry.pk).update(
                    label=f"{verbose_name} #{entry.object_id}"
                )


class Migration(migrations.Migration):

    dependencies = [
        ("matching", "0008_registered_through"),
        ("wagtailcore", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(pseudonymise, migrations.RunPython.noop)]
