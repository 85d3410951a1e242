"""Signing keys of issuing organizations. Achievements and credentials arrive with the rest of
the credentials issue (#6)."""

from django.db import models
from django.db.models import Q


class SigningKey(models.Model):
    """An Ed25519 key of an issuing organization, published in its did:web document.

    The private key is stored encrypted (Fernet, with a key derived from
    CREDENTIAL_KEY_ENCRYPTION_KEY). Rotation retires the active key but keeps it: its public
    half stays in the DID document, so credentials it signed keep verifying.
    """

    organization = models.ForeignKey(
        "profiles.Organization", on_delete=models.PROTECT, related_name="signing_keys"
    )
    public_key_multibase = models.CharField(max_length=64, unique=True)
    private_key_encrypted = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(retired_at__isnull=True),
                name="signing_key_one_active_per_organization",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.public_key_multibase}"
