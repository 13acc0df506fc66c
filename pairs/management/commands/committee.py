from django.core.management.base import BaseCommand, CommandError

from members.models import COMMITTEE_GROUP, User, committee_group
from pairs.services import pairing


class Command(BaseCommand):
    # In the pairs app, not members: removing someone hands their pairs to another liaison.
    help = "List, add or remove members of the Mentoring Committee (removing hands their active pairs on)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "add", "remove"])
        parser.add_argument("emails", nargs="*")

    def handle(self, action, emails, **options):
        group = committee_group()
        if action == "list":
            for user in group.user_set.order_by("email"):
                self.stdout.write(f"{user.email}\t{user}")
            return
        if not emails:
            raise CommandError(f"Name at least one email address to {action}.")
        users = {u.email: u for u in User.objects.filter(email__in=[e.lower() for e in emails])}
        missing = [e for e in emails if e.lower() not in users]
        if missing:
            raise CommandError(f"No account with the email address {', '.join(missing)}; nothing was changed.")
        for user in users.values():
            if action == "add":
                user.groups.add(group)
                # Staff status lets the committee into the admin, limited by the group's permissions.
                if not user.is_staff:
                    user.is_staff = True
                    user.save(update_fields=["is_staff"])
                self.stdout.write(f"Added {user.email} ({COMMITTEE_GROUP}).")
                continue
            handed = pairing.committee_remove(user=user)
            self.stdout.write(f"Removed {user.email} ({COMMITTEE_GROUP}).")
            for pair in handed:
                if pair.liaison:
                    self.stdout.write(f"  {pair} ({pair.cycle}): liaison now {pair.liaison}.")
                else:
                    self.stdout.write(
                        f"  {pair} ({pair.cycle}): no liaison now, nobody else is on the {COMMITTEE_GROUP}. "
                        "Add someone, then choose the pair's liaison in the admin."
                    )
