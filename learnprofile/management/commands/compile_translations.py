"""Compile .po to .mo with Babel, so no GNU gettext is needed on a fresh machine."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from learnprofile.translations import catalogs_compile


class Command(BaseCommand):
    help = "Compile every locale/*/LC_MESSAGES/*.po under LOCALE_PATHS into .mo files."

    def handle(self, *args: Any, **options: Any) -> None:
        compiled = catalogs_compile(settings.LOCALE_PATHS)
        self.stdout.write(f"compiled {compiled} translation catalog(s)")
