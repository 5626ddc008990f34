"""Create (or reset) a demo editor and a demo supporter, and print their logins."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from casebase.accounts.models import Membership
from casebase.organizations.models import Organization

DEMO_PASSWORD = "casebase-demo-2026"


class Command(BaseCommand):
    help = "Create a demo editor and a demo supporter member (for local use only)."

    def handle(self, *args, **options):
        User = get_user_model()
        editor, _ = User.objects.update_or_create(
            username="editor",
            defaults={
                "email": "editor@example.org",
                "is_staff": True,
                "is_superuser": True,
                "first_name": "Demo",
                "last_name": "Editor",
            },
        )
        editor.set_password(DEMO_PASSWORD)
        editor.save()
        supporter, _ = User.objects.update_or_create(
            username="supporter",
            defaults={
                "email": "supporter@example.org",
                "is_staff": False,
                "is_superuser": False,
                "first_name": "Demo",
                "last_name": "Supporter",
            },
        )
        supporter.set_password(DEMO_PASSWORD)
        supporter.save()
        organization = Organization.objects.filter(slug="bbc").first() or Organization.objects.first()
        if organization:
            Membership.objects.update_or_create(user=supporter, defaults={"organization": organization})
        org_name = organization.name if organization else "(no organization loaded)"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo accounts (local use only):"))
        self.stdout.write(
            f"  editor     email: editor@example.org     password: {DEMO_PASSWORD}   (PAI staff: /review/, /admin/)"
        )
        self.stdout.write(
            f"  supporter  email: supporter@example.org  password: {DEMO_PASSWORD}   ({org_name}: /submit/)"
        )
        self.stdout.write("")
