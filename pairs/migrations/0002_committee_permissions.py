"""What the Mentoring Committee may do with pairs in the admin. Never check-ins: their notes are private."""

from django.db import migrations

COMMITTEE_GROUP = "Mentoring Committee"
PERMISSIONS = {"pair": ["add", "change", "view"], "email": ["view", "change"], "evaluation": ["view"], "goal": ["view"]}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("pairs")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=COMMITTEE_GROUP)
    for model, actions in PERMISSIONS.items():
        for action in actions:
            group.permissions.add(Permission.objects.get(content_type__app_label="pairs", codename=f"{action}_{model}"))


class Migration(migrations.Migration):
    dependencies = [("pairs", "0001_initial"), ("members", "0002_committee_group")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
