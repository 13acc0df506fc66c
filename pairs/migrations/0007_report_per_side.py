"""A report that the other side has gone quiet is kept per side, so that each side's
report stands for REPORT_STANDS: the one report field (and who made it) becomes two."""

from django.db import migrations, models
from django.db.models import F


def per_side(apps, schema_editor):
    Pair = apps.get_model("pairs", "Pair")
    reported = Pair.objects.filter(unresponsive_reported_at__isnull=False)
    reported.filter(unresponsive_reported_by=F("mentor__member")).update(
        mentor_reported_unresponsive_at=F("unresponsive_reported_at")
    )
    # The mentee's, or a report whose author has since deleted their account: the pair's
    # page showed it as a report, and the mentee is who reports a silent mentor.
    reported.exclude(unresponsive_reported_by=F("mentor__member")).update(
        mentee_reported_unresponsive_at=F("unresponsive_reported_at")
    )


def one_field(apps, schema_editor):
    Pair = apps.get_model("pairs", "Pair")
    for pair in Pair.objects.select_related("mentor", "mentee").exclude(
        mentor_reported_unresponsive_at=None, mentee_reported_unresponsive_at=None
    ):
        sides = [
            (pair.mentor_reported_unresponsive_at, pair.mentor.member_id),
            (pair.mentee_reported_unresponsive_at, pair.mentee.member_id),
        ]
        pair.unresponsive_reported_at, pair.unresponsive_reported_by_id = max(s for s in sides if s[0])
        pair.save(update_fields=["unresponsive_reported_at", "unresponsive_reported_by"])


class Migration(migrations.Migration):
    dependencies = [
        ("pairs", "0006_checkin_pair_latest_first"),
    ]

    operations = [
        migrations.AddField(
            model_name="pair",
            name="mentor_reported_unresponsive_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="pair",
            name="mentee_reported_unresponsive_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(per_side, one_field),
        migrations.RemoveField(model_name="pair", name="unresponsive_reported_at"),
        migrations.RemoveField(model_name="pair", name="unresponsive_reported_by"),
    ]
