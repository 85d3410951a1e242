"""Send again the issuance requests that are stuck, and (on request) those refused."""

import uuid
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from credentials.services.pipeline import issuances_resubmit


class Command(BaseCommand):
    help = (
        "Resubmit issuance requests pending for longer than --stuck-minutes whose job failed "
        "or is gone; with --refused, also the refused ones (eligibility is checked again)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--stuck-minutes", type=int, default=30)
        parser.add_argument("--refused", action="store_true")
        parser.add_argument("--batch", help="only this batch (its id)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["stuck_minutes"] < 1:
            raise CommandError("--stuck-minutes must be at least 1.")
        try:
            batch_id = uuid.UUID(options["batch"]) if options["batch"] else None
        except ValueError as error:
            raise CommandError(f"Not a batch id: {options['batch']!r}.") from error
        count = issuances_resubmit(
            stuck_for=timedelta(minutes=options["stuck_minutes"]),
            refused=options["refused"],
            batch_id=batch_id,
        )
        self.stdout.write(f"{count} issuance request(s) resubmitted.")
