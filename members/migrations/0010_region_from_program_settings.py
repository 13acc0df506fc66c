"""A member's region is one of the program's, as its settings list them (the codes stored stay)."""

import members.models.values
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0009_program_settings_and_commitments'),
    ]

    operations = [
        migrations.AlterField(
            model_name='user',
            name='region',
            field=models.CharField(blank=True, max_length=16, validators=[members.models.values.validate_region]),
        ),
    ]
