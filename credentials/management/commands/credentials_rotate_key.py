"""Give an issuing organization a new signing key; the old one stays published."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from credentials.services.keys import issuer_did, signing_key_rotate
from profiles import api as profiles_api


class Command(BaseCommand):
    help = "Rotate an organization's signing key (new credentials use the new key)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("slug", help="the organization's slug (its did:web name)")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = profiles_api.organization_get_by_slug(slug=options["slug"])
        if organization is None:
            raise CommandError(f"No organization with slug {options['slug']!r}.")
        key = signing_key_rotate(actor=None, organization=organization)
        self.stdout.write(f"{issuer_did(organization)}#{key.public_key_multibase} now signs.")
