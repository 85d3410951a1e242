"""Places: the provinces and communes/wards people live in and organizations stand in."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AdministrativeUnit(models.Model):
    """A province/centrally-run city, or a commune/ward/special zone under it.

    Loaded from the `vietnam-provinces` package (the two-tier structure in force since
    1 July 2025). Rows are data: a future merger is a data migration, not a code change.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Tỉnh/thành phố")
        WARD = "ward", _("Xã/phường/đặc khu")

    level = models.CharField(max_length=10, choices=Level.choices)
    code = models.PositiveIntegerField()
    name = models.CharField(max_length=150)
    division_type = models.CharField(max_length=50)
    codename = models.CharField(max_length=150)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Folded (no accents, lower case) name plus the province name, for the ward picker.
    search_text = models.CharField(max_length=400)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["level", "code"], name="unit_level_code_unique"),
            models.CheckConstraint(
                condition=Q(level="province", parent__isnull=True)
                | Q(level="ward", parent__isnull=False),
                name="unit_ward_has_province",
            ),
        ]
        indexes = [models.Index(fields=["level", "search_text"], name="unit_search_idx")]

    def __str__(self) -> str:
        if self.parent is not None:
            return f"{self.name}, {self.parent.name}"
        return self.name
