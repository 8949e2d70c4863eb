"""Signal handlers of applications (registered in ApplicationsConfig.ready).

An application deleted however it was deleted (the daily purge of
unconfirmed ones, the admin, its activity's deletion) leaves no kept e-mail
task and no log data behind (privacy.py).
"""

from django.db.models.signals import post_delete


def forget_application(sender, instance, **kwargs):
    from . import privacy

    privacy.forget_traces([instance.pk])


def register():
    from .models import Application

    post_delete.connect(forget_application, sender=Application)
