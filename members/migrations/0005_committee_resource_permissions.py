"""The Mentoring Committee keeps the list of resources: it may do everything with them in the admin."""

from django.db import migrations

COMMITTEE_GROUP = "Mentoring Committee"
ACTIONS = ["add", "change", "delete", "view"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("members")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=COMMITTEE_GROUP)
    for action in ACTIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label="members", codename=f"{action}_resource"))


class Migration(migrations.Migration):
    dependencies = [("members", "0004_resource")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
