from django.core.management.base import BaseCommand

from careerperfect.promises import PROMISES


class Command(BaseCommand):
    help = "List every promise of the privacy policy and the tests that prove it."

    def handle(self, *args, **options):
        for promise in PROMISES:
            state = "proved" if promise.proved else "unproved"
            self.stdout.write(f"{promise.code}\t{state}\t{' '.join(promise.tests)}")
