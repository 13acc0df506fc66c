"""`manage.py program_preset arla|llama`: configure the whole program from a preset."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from members.presets.files import PRESETS, PresetError
from members.presets.loading import preset_apply


class Command(BaseCommand):
    help = "Configure the program (settings, commitments, regions, program pages…) from a preset: " + "; ".join(
        f"{name}: {what}" for name, what in PRESETS.items()
    )

    def add_arguments(self, parser):
        parser.add_argument("name", choices=sorted(PRESETS), help="The preset to load.")

    def handle(self, *, name: str, **options):
        try:
            report = preset_apply(name=name)
        except PresetError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(self.style.SUCCESS(report[0]))
        for line in report[1:]:
            self.stdout.write(f"  {line}")
