"""The cycle's help texts name no conference: the program's settings do."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0009_program_settings'),
    ]

    operations = [
        migrations.AlterField(
            model_name='cycle',
            name='orientation',
            field=models.CharField(blank=True, help_text='Where and when the orientation at the conference takes place.', max_length=300),
        ),
        migrations.AlterField(
            model_name='cycle',
            name='starts_on',
            field=models.DateField(help_text='The conference where the program year starts, when the orientation is held.', verbose_name='program starts'),
        ),
    ]
