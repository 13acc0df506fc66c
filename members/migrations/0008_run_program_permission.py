"""The committee's role as a permission, `members.run_program`, given to the Mentoring
Committee's group: the site's committee pages ask it (site admins hold every permission)."""

from django.db import migrations

COMMITTEE_GROUP = "Mentoring Committee"


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("members")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=COMMITTEE_GROUP)
    group.permissions.add(Permission.objects.get(content_type__app_label="members", codename="run_program"))


class Migration(migrations.Migration):
    dependencies = [("members", "0007_one_line_names")]

    operations = [
        migrations.AlterModelOptions(
            name="user",
            options={
                "ordering": ["last_name", "first_name", "email"],
                "permissions": [("run_program", "Can run the mentoring program (the committee's pages)")],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
