from django.db import migrations

# The office's roles that run activities see their applicants: Editors
# write the activity pages and take the phone applications, Moderators
# publish them and hold every Editors' right (Wagtail's default groups),
# Coordinators follow residents up. Applicants' data is the activity's
# own: the permission opens no resident's profile (matching.permissions).
OFFICE_GROUPS = ("Editors", "Moderators", "Coordinators")
CODENAME = "manage_applications"


def _permission(apps):
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _created = ContentType.objects.get_or_create(
        app_label="applications", model="application"
    )
    permission, _created = Permission.objects.get_or_create(
        content_type=content_type,
        codename=CODENAME,
        defaults={"name": "Can see and manage applicants of activities"},
    )
    return permission


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    permission = _permission(apps)
    for group in Group.objects.filter(name__in=OFFICE_GROUPS):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    permission = _permission(apps)
    for group in Group.objects.filter(name__in=OFFICE_GROUPS):
        group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0001_initial"),
        # The groups: Wagtail's Editors and Moderators, matching's Coordinators.
        ("wagtailcore", "0002_initial_data"),
        ("matching", "0003_time_slots_and_coordinators"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
