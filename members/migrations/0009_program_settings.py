"""The program's settings (one row, issue 13), what an opt-in accepted, as worded then, and
a member's region as one of the program's (no fixed choices: the codes stored stay).

Opt-ins made before this accepted the four commitments the opt-in form then wrote into
its labels: they are recorded with that wording (a migration keeps its own copy).
"""

import django.core.validators
import django.db.models.deletion
import members.models.program_settings
import members.models.values
from django.conf import settings
from django.db import migrations, models


# The opt-in form's four labels before the commitments became the committee's to edit.
COMMITMENTS_BEFORE = [
    "I will take part for the whole 9–12 months.",
    "I will be honest and professional, following the ALA Code of Ethics.",
    "I will keep what my mentor or mentee shares with me confidential.",
    "I will attend the orientation at the ArLA fall conference.",
]


def record_commitments_accepted(apps, schema_editor):
    Enrollment = apps.get_model("members", "Enrollment")
    Enrollment.objects.update(commitments=COMMITMENTS_BEFORE)



class Migration(migrations.Migration):

    dependencies = [
        ('members', '0008_run_program_permission'),
    ]

    operations = [
        migrations.AddField(
            model_name='enrollment',
            name='commitments',
            field=models.JSONField(blank=True, default=list, verbose_name='commitments accepted'),
        ),
        migrations.AddField(
            model_name='enrollment',
            name='nonmember_agreement',
            field=models.CharField(blank=True, max_length=500, verbose_name='agreement to join'),
        ),
        migrations.AlterField(
            model_name='user',
            name='region',
            field=models.CharField(blank=True, max_length=16, validators=[members.models.values.validate_region]),
        ),
        migrations.CreateModel(
            name='ProgramSettings',
            fields=[
                ('id', models.PositiveSmallIntegerField(default=1, editable=False, primary_key=True, serialize=False)),
                ('version', models.PositiveIntegerField(default=0, editable=False)),
                ('preset', models.CharField(blank=True, editable=False, max_length=20, verbose_name='preset last loaded')),
                ('association_name', models.CharField(help_text="Its full name, as the pages' headings show it.", max_length=200, validators=[members.models.values.validate_one_line], verbose_name="association's name")),
                ('association_short_name', models.CharField(help_text='Its abbreviation: the menu and short sentences use it.', max_length=40, validators=[members.models.values.validate_one_line], verbose_name='short name')),
                ('program_name', models.CharField(help_text="As the program page's title shows it.", max_length=200, validators=[members.models.values.validate_one_line], verbose_name="program's name")),
                ('committee_name', models.CharField(help_text='Who runs the program, as the pages and emails name it.', max_length=200, validators=[members.models.values.validate_one_line], verbose_name="committee's name")),
                ('email_sender_name', models.CharField(help_text="The name the program's emails come from (the address is the operator's).", max_length=100, validators=[members.models.values.validate_one_line], verbose_name="emails' sender name")),
                ('conference_name', models.CharField(help_text='Where the program year starts, as a sentence names it after "at the".', max_length=200, validators=[members.models.values.validate_one_line], verbose_name='conference')),
                ('orientation_name', models.CharField(help_text='For example "Mentoring orientation".', max_length=200, validators=[members.models.values.validate_one_line], verbose_name="orientation's name")),
                ('orientation_month', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(12)], verbose_name='usual month of the orientation')),
                ('orientation_text', models.TextField(blank=True, help_text='Shown on the program pages. Markdown: paragraphs, lists, **bold**, *italics*, links.', validators=[django.core.validators.MaxLengthValidator(5000)], verbose_name='about the orientation')),
                ('default_length_months', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(9), django.core.validators.MaxValueValidator(12)], verbose_name='default pair length (months)')),
                ('min_length_months', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(9), django.core.validators.MaxValueValidator(12)], verbose_name='shortest pair (months)')),
                ('max_length_months', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(9), django.core.validators.MaxValueValidator(12)], verbose_name='longest pair (months)')),
                ('mentee_categories', models.JSONField(blank=True, default=list, validators=[members.models.program_settings.validate_categories], verbose_name='who may be a mentee')),
                ('mentor_categories', models.JSONField(blank=True, default=list, validators=[members.models.program_settings.validate_categories], verbose_name='who may be a mentor')),
                ('mentor_min_years', models.PositiveSmallIntegerField(help_text='What a new cycle starts with; each cycle keeps its own (Committee → Cycles).', validators=[django.core.validators.MaxValueValidator(50)], verbose_name="mentors' minimum years of experience")),
                ('nonmember_may_apply', models.BooleanField(default=False, help_text='Opting in then asks a non-member to accept the agreement below, and records it.', verbose_name='non-members may apply if they agree to join')),
                ('nonmember_agreement', models.CharField(blank=True, help_text='For example “I am a member of the association, or I agree to become one if I am selected.”', max_length=500, validators=[members.models.values.validate_one_line], verbose_name='agreement a non-member accepts')),
                ('commitments', models.JSONField(blank=True, default=list, validators=[members.models.program_settings.validate_commitments])),
                ('regions', models.JSONField(blank=True, default=list, validators=[members.models.program_settings.validate_regions])),
                ('page_home', models.TextField(validators=[django.core.validators.MaxLengthValidator(50000)], verbose_name='program page')),
                ('page_mentor', models.TextField(validators=[django.core.validators.MaxLengthValidator(50000)], verbose_name='page for mentors')),
                ('page_mentee', models.TextField(validators=[django.core.validators.MaxLengthValidator(50000)], verbose_name='page for mentees')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'program settings',
                'verbose_name_plural': 'program settings',
                'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='program_settings_one_row'), models.CheckConstraint(condition=models.Q(('max_length_months__lte', 12), ('min_length_months__gte', 9), ('min_length_months__lte', models.F('default_length_months')), ('default_length_months__lte', models.F('max_length_months'))), name='program_lengths_in_order_9_to_12')],
            },
        ),
        migrations.RunPython(record_commitments_accepted, migrations.RunPython.noop),
    ]
