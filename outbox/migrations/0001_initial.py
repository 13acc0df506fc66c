"""The Email model moves from `pairs` to `outbox` without copying a row.

The model's state is created here over the existing table (`pairs_email`), which is
then renamed — a catalogue change, instant whatever the number of rows. The model's
content type moves with it, so that the permissions already granted (the Mentoring
Committee's view/change of emails) stay granted.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="pairs", model="email").update(app_label="outbox")


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="outbox", model="email").update(app_label="pairs")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("members", "0006_enrollment_list_index"),
        ("pairs", "0008_email_moves_to_outbox"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Email",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("intro_mentor", "Introduction to the mentor"),
                                    ("intro_mentee", "Introduction to the mentee"),
                                    ("liaison_digest", "Monthly check-in email to a liaison"),
                                    ("checkin_reminder", "Check-in reminder"),
                                    ("unresponsive", "Unresponsive partner report"),
                                    ("evaluation", "Closing evaluation invitation"),
                                    ("thanks", "Thanks and invitation to mentor"),
                                    ("pair_ended", "Pair ended"),
                                    ("partner_left", "Pair ended: the other side deleted their account"),
                                    ("renewal_reminder", "Membership renewal reminder"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("key", models.CharField(max_length=200, unique=True)),
                        ("to", models.EmailField(max_length=254)),
                        ("subject", models.CharField(max_length=300)),
                        ("body_text", models.TextField()),
                        ("body_html", models.TextField(blank=True)),
                        (
                            "state",
                            models.CharField(
                                choices=[("pending", "Pending"), ("sent", "Sent"), ("failed", "Failed")],
                                default="pending",
                                max_length=8,
                            ),
                        ),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("last_error", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("queued_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "cycle",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="members.cycle",
                            ),
                        ),
                        (
                            "recipient",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "pair",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="emails",
                                to="pairs.pair",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-created_at"],
                        "db_table": "pairs_email",
                        "indexes": [models.Index(fields=["state", "queued_at"], name="pairs_email_state_fe2af3_idx")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
        # The table and its index take the app's name: renames, no rows copied.
        migrations.AlterModelTable(name="email", table=None),
        migrations.RenameIndex(
            model_name="email", new_name="outbox_emai_state_fc4914_idx", old_name="pairs_email_state_fe2af3_idx"
        ),
    ]
