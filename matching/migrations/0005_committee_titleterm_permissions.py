"""The Mentoring Committee keeps its own words for the model of library work: it may do
everything with title terms in the admin."""

from django.db import migrations

COMMITTEE_GROUP = "Mentoring Committee"
ACTIONS = ["add", "change", "delete", "view"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("matching")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=COMMITTEE_GROUP)
    for action in ACTIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label="matching", codename=f"{action}_titleterm"))


class Migration(migrations.Migration):
    dependencies = [("matching", "0004_titleterm"), ("members", "0002_committee_group")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
