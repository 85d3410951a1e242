from typing import Any

from django.core.management.base import BaseCommand

from profiles.models import AdministrativeUnit
from profiles.places import administrative_units_sync


class Command(BaseCommand):
    help = "Insert or update provinces and wards from the vietnam-provinces package."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = administrative_units_sync(unit_model=AdministrativeUnit)
        self.stdout.write(f"{counts['provinces']} provinces, {counts['wards']} wards")
