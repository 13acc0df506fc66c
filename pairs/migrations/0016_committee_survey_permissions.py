"""The Mentoring Committee reads the surveys and their questions in the admin (it writes them on
the site's Surveys pages, which keep an answered question's kind and archive rather than
delete). The answers are not the committee's to read one by one: program health shows them
in aggregate, without names."""

from django.db import migrations

COMMITTEE_GROUP = "Mentoring Committee"
GRANTED = ["view_survey", "view_surveyquestion"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("pairs")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=COMMITTEE_GROUP)
    for codename in GRANTED:
        group.permissions.add(Permission.objects.get(content_type__app_label="pairs", codename=codename))


class Migration(migrations.Migration):
    dependencies = [("pairs", "0015_surveys"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
