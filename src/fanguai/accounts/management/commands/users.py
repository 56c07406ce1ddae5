import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from fanguai.accounts import services
from fanguai.accounts.models import User
from fanguai.accounts.roles import Role
from fanguai.core.management.base import SubcommandCommand
from fanguai.org.models import Unit


class Command(SubcommandCommand):
    help = "Staff accounts from the command line (the only way to create the three administrator accounts)."
    subcommands = {
        "create": "Create an account with one role in one unit.",
        "token": "Issue an API bearer token for an account (printed once).",
        "list": "List accounts.",
    }

    def add_create_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--unit", help="unit code, e.g. 341522-police")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="omit to be asked")

    def add_token_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle_create(self, username, role, unit, full_name, email, password, **options):
        unit_obj = None
        if unit:
            unit_obj = Unit.objects.filter(code=unit).first()
            if unit_obj is None:
                raise CommandError(f"unknown unit {unit}")
        password = password or getpass.getpass("password: ")
        try:
            user = services.create_user(
                actor=None,
                username=username,
                password=password,
                role=role,
                unit=unit_obj,
                full_name=full_name,
                email=email,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"created {user.username} ({user.role})")

    def handle_token(self, username, name, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username}")
        self.stdout.write(services.create_api_token(actor=None, user=user, name=name))

    def handle_list(self, **options):
        for user in User.objects.select_related("unit").order_by("username"):
            self.stdout.write(f"{user.username:<16} {user.role:<20} {user.unit.code if user.unit else ''}")
