from django.db import migrations

CURATING_GROUPS = ("Editors", "Moderators")
ACTIONS = ("add", "change", "delete", "view")


def let_editors_curate(apps, schema_editor):
    """Editors and Moderators keep よく検索されている言葉 (Wagtail's default groups)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _created = ContentType.objects.get_or_create(
        app_label="search", model="popularsearchterm"
    )
    permissions = [
        Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"{action}_popularsearchterm",
            defaults={"name": f"Can {action} often searched term"},
        )[0]
        for action in ACTIONS
    ]
    for group in Group.objects.filter(name__in=CURATING_GROUPS):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_query_searchers_and_popular_terms"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(let_editors_curate, migrations.RunPython.noop)]
