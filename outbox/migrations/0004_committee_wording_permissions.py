"""The Mentoring Committee words the program's emails: it may read the wordings' versions
and add new ones (Committee → Emails), which is also what switches a kind off."""

from django.db import migrations

COMMITTEE_GROUP = "Mentoring Committee"
PERMISSIONS = ["view_emailtemplate", "add_emailtemplate"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("outbox")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=COMMITTEE_GROUP)
    for codename in PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label="outbox", codename=codename))


class Migration(migrations.Migration):
    dependencies = [("outbox", "0003_wording_preferences_skipped"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
