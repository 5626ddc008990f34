"""Create (or reset) a demo editor, a demo supporter and a demo reader, and print their logins."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

from casebase.accounts.models import Membership, Reader
from casebase.organizations.models import Organization

DEMO_PASSWORD = "casebase-demo-2026"


def demo_account(username: str, **fields):
    """The demo user ``username`` with these fields and the demo password, made or reset."""
    user, _ = get_user_model().objects.update_or_create(
        username=username,
        defaults={"email": f"{username}@example.org", "first_name": "Demo", "last_name": username.title()}
        | fields,
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


class Command(BaseCommand):
    help = "Create a demo editor, supporter member and reader (for local use only)."

    def handle(self, *args, **options):
        demo_account("editor", is_staff=True, is_superuser=True, is_active=True)
        supporter = demo_account("supporter", is_staff=False, is_superuser=False, is_active=True)
        organization = Organization.objects.filter(slug="bbc").first() or Organization.objects.first()
        if organization:
            Membership.objects.update_or_create(user=supporter, defaults={"organization": organization})
        reader = demo_account("reader", is_staff=False, is_superuser=False, is_active=True)
        Reader.objects.update_or_create(user=reader, defaults={"confirmed_at": timezone.now()})
        org_name = organization.name if organization else "(no organization loaded)"
        lines = [
            ("editor", "PAI staff: /review/, /admin/"),
            ("supporter", f"{org_name}: /submit/"),
            ("reader", "follow searches, keep collections: /accounts/me/"),
        ]
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo accounts (local use only):"))
        for username, what in lines:
            email = f"{username}@example.org"
            self.stdout.write(f"  {username:<10} email: {email:<22} password: {DEMO_PASSWORD}   ({what})")
        self.stdout.write("")
