from django.db import migrations

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PERIODS = ("am", "pm", "eve")

# What the Coordinators group may do: work through suggestions, see and
# manage residents' profiles (their contact details are shown only to this
# group), and keep the skills list.
COORDINATOR_PERMISSIONS = [
    ("matching", "suggestion", ("view", "change")),
    ("matching", "residentprofile", ("view", "add", "change", "delete")),
    ("matching", "skill", ("view", "add", "change")),
]


def create_slots_and_group(apps, schema_editor):
    TimeSlot = apps.get_model("matching", "TimeSlot")
    for day, day_code in enumerate(DAYS):
        for period, period_code in enumerate(PERIODS):
            TimeSlot.objects.get_or_create(
                code=f"{day_code}-{period_code}", defaults={"day": day, "period": period}
            )

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    group, _created = Group.objects.get_or_create(name="Coordinators")
    for app_label, model, actions in COORDINATOR_PERMISSIONS:
        content_type, _created = ContentType.objects.get_or_create(app_label=app_label, model=model)
        for action in actions:
            permission, _created = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )
            group.permissions.add(permission)
    access_admin = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    ).first()
    if access_admin:
        group.permissions.add(access_admin)


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0002_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(create_slots_and_group, migrations.RunPython.noop)]
