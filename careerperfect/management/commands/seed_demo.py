from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import DEMO_PASSWORD

# Each module's seed() is idempotent and returns (who, e-mail) logins it created.
DEMO_MODULES = [
    "accounts.demo",
    "partners.demo",
    "orders.demo",
    "privacy.demo",
    "feedback.demo",
    "contests.demo",
    "assessments.demo",
    "resumes.demo",
    "mail.demo",
]


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="", help="The site's URL, printed with the logins.")

    def handle(self, *args, url, **options):
        logins = []
        with transaction.atomic():
            for module in DEMO_MODULES:
                logins.extend(import_module(module).seed())
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        if url:
            self.stdout.write(f"\nCareerPerfect is at {url}  (admin: {url}admin/)")
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for who, email in logins:
            self.stdout.write(f"  {who:<26} {email}")
        self.stdout.write("")
