"""Name the site, so that allauth's emails say "ArLA Mentoring", not "example.com"."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations


def name_site(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    Site.objects.update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": urlsplit(settings.SITE_URL).netloc or "localhost", "name": "ArLA Mentoring"},
    )


class Migration(migrations.Migration):
    dependencies = [("members", "0002_committee_group"), ("sites", "0002_alter_domain_unique")]

    operations = [migrations.RunPython(name_site, migrations.RunPython.noop)]
