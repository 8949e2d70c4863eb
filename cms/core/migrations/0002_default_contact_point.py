from django.db import migrations

# The office that runs the portal: every page's contact block falls back to
# it, so a new site has it before any demo content is loaded.
DEFAULT_CONTACT = {
    "department": "市民部",
    "section": "市民活動推進課",
    "postal_code": "180-8777",
    "address": "東京都武蔵野市緑町2-2-28",
    "phone": "0422-60-1830",
    "fax": "0422-51-2000",
}


def create_default_contact_point(apps, schema_editor):
    ContactPoint = apps.get_model("core", "ContactPoint")
    if not ContactPoint.objects.exists():
        ContactPoint.objects.create(**DEFAULT_CONTACT)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(create_default_contact_point, migrations.RunPython.noop),
    ]
