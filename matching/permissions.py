"""Who may see residents' contact details: members of the Coordinators group."""

COORDINATORS_GROUP = "Coordinators"


def is_coordinator(user):
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.groups.filter(name=COORDINATORS_GROUP).exists()
    )
