"""The Mentoring Committee writes each cycle's opt-in questions: in the admin it may add,
change and view them, and view (never change) the members' answers. Deleting an unanswered
question is the site's Questions page's work, which checks that nobody answered it."""

from django.db import migrations

COMMITTEE_GROUP = "Mentoring Committee"
GRANTED = ["add_cyclequestion", "change_cyclequestion", "view_cyclequestion", "view_answer"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("members")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=COMMITTEE_GROUP)
    for codename in GRANTED:
        group.permissions.add(Permission.objects.get(content_type__app_label="members", codename=codename))


class Migration(migrations.Migration):
    dependencies = [("members", "0014_questions")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
