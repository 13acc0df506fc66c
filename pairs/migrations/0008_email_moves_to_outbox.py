"""The Email model now lives in the `outbox` app: it leaves this app's state here, and
outbox/migrations/0001 takes up the same table (no row copied)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("pairs", "0007_report_per_side")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="Email")], database_operations=[])
    ]
