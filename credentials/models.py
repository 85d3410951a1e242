"""Signing keys of issuing organizations. Achievements and credentials arrive with the rest of
the credentials issue (#6)."""

import uuid

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


STATUS_LIST_SIZE = 131_072  # bits: the minimum of Bitstring Status List, for herd privacy


class StatusList(models.Model):
    """One Bitstring Status List (revocation) of an issuing organization, published as a
    signed credential. A set bit means revoked. Bits are set in SQL (`set_bit`), so concurrent
    revocations each update the latest row version and none is lost."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "profiles.Organization", on_delete=models.PROTECT, related_name="status_lists"
    )
    size = models.PositiveIntegerField(default=STATUS_LIST_SIZE)
    bits = models.BinaryField()
    # Indices handed out; a list stops taking new ones at STATUS_LIST_FILL of its size.
    allocated = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(size__gte=STATUS_LIST_SIZE), name="status_list_minimum_size"
            ),
            models.CheckConstraint(
                condition=Q(allocated__lte=models.F("size")), name="status_list_not_overfull"
            ),
        ]

    def __str__(self) -> str:
        return str(self.public_id)


class StatusIndex(models.Model):
    """A position in a status list, given to one credential; random, so that neighbouring
    positions say nothing about when or to whom a credential was issued."""

    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="indices")
    index = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["status_list", "index"], name="status_index_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.status_list_id}#{self.index}"
