from django.core.management.base import BaseCommand, CommandError

from consent.models import email_normalize
from consent.purposes import Purpose
from consent.selectors import consent_elections
from consent.services import subject_find


class Command(BaseCommand):
    help = "Print the current election of every purpose for an e-mail address."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        try:
            email_normalize(email)
        except ValueError as error:
            raise CommandError(str(error)) from None
        from accounts.models import User

        user = User.objects.filter(email__iexact=email.strip()).first()
        subject = subject_find(user=user) if user else None
        subject = subject or subject_find(email=email)
        elections = consent_elections(subject=subject)
        for purpose in Purpose:
            election = elections.get(purpose)
            if election is None:
                self.stdout.write(f"{purpose.value}: none")
                continue
            state = "granted" if election.granted else "withdrawn"
            if election.granted and election.awaiting:
                state += f", not in force: waits for {election.get_awaiting_display().lower()}"
            self.stdout.write(
                f"{purpose.value}: {state} since {election.occurred_at.isoformat()} "
                f"({election.event.source})"
            )
