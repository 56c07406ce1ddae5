import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import timezone

from fanguai.accounts import services
from fanguai.accounts.models import User
from fanguai.accounts.roles import Role
from fanguai.accounts.selectors import api_tokens_of
from fanguai.core.management.base import SubcommandCommand
from fanguai.org.models import Unit


class Command(SubcommandCommand):
    help = "Staff accounts from the command line (the only way to create the three administrator accounts)."
    subcommands = {
        "create": "Create an account with one role in one unit.",
        "token": "Issue an API bearer token for an account (printed once).",
        "tokens": "List an account's API tokens (never their secrets).",
        "revoke-token": "Revoke API tokens of an account: the given ids, or --all.",
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
        parser.add_argument(
            "--days", type=int, default=None, help="lifetime in days (default: FANGUAI_API_TOKEN_DAYS, 90)"
        )

    def add_tokens_arguments(self, parser):
        parser.add_argument("username")

    def add_revoke_token_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "token_ids", nargs="*", type=int, metavar="TOKEN_ID", help="ids from `users tokens`"
        )
        parser.add_argument(
            "--all", dest="revoke_all", action="store_true", help="revoke every token of the account"
        )

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

    def handle_token(self, username, name, days, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username}")
        try:
            raw = services.create_api_token(actor=None, user=user, name=name, days=days)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(raw)

    def handle_tokens(self, username, **options):
        user = self._user(username)
        self.stdout.write(
            f"{'id':>6}  {'name':<20} {'created':<16}  {'last used':<16}  {'expires':<16}  state"
        )
        for token in api_tokens_of(user):
            self.stdout.write(
                f"{token.pk:>6}  {token.name:<20} {_when(token.created_at):<16}  "
                f"{_when(token.last_used_at):<16}  {_when(token.expires_at):<16}  {token.state}"
            )

    def handle_revoke_token(self, username, token_ids, revoke_all, **options):
        if bool(token_ids) == revoke_all:
            raise CommandError("name the token ids to revoke, or --all (not both)")
        user = self._user(username)
        try:
            revoked = services.revoke_api_tokens(
                actor=None, user=user, token_ids=None if revoke_all else token_ids
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        ids = ", ".join(str(token.pk) for token in revoked) or "none"
        self.stdout.write(f"revoked {len(revoked)} token(s) of {user.username}: {ids}")

    @staticmethod
    def _user(username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username}")
        return user

    def handle_list(self, **options):
        for user in User.objects.select_related("unit").order_by("username"):
            self.stdout.write(f"{user.username:<16} {user.role:<20} {user.unit.code if user.unit else ''}")


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "-"
