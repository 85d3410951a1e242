"""Loading administrative units from the `vietnam-provinces` package (idempotent upsert)."""

from typing import Any

from learnprofile.text import fold


def _official_name(name: str, division_type: str) -> str:
    """Tidy the package's names: collapse doubled spaces (ten wards have them) and give
    provinces their "Tỉnh" prefix, as centrally-run cities already carry "Thành phố"."""
    name = " ".join(name.split())
    if division_type == "tỉnh" and not name.startswith("Tỉnh "):
        name = f"Tỉnh {name}"
    return name


def administrative_units_sync(*, unit_model: Any) -> dict[str, int]:
    """Insert or update all provinces and wards. `unit_model` is passed so a data migration
    can use its historical model. Returns counts."""
    from vietnam_provinces import Province, Ward

    provinces = sorted(Province.iter_all(), key=lambda province: int(province.code))
    province_rows = {}
    for province in provinces:
        division_type = str(province.division_type.value)
        name = _official_name(province.name, division_type)
        row, _ = unit_model.objects.update_or_create(
            level="province",
            code=int(province.code),
            defaults={
                "name": name,
                "division_type": division_type,
                "codename": province.codename,
                "parent": None,
                "search_text": fold(name),
            },
        )
        province_rows[int(province.code)] = row

    existing = {unit.code: unit for unit in unit_model.objects.filter(level="ward")}
    to_create, to_update = [], []
    for ward in Ward.iter_all():
        province_row = province_rows[int(ward.province_code)]
        division_type = str(ward.division_type.value)
        name = _official_name(ward.name, division_type)
        values = {
            "name": name,
            "division_type": division_type,
            "codename": ward.codename,
            "parent": province_row,
            "search_text": fold(f"{name} {province_row.name}"),
        }
        current = existing.get(int(ward.code))
        if current is None:
            to_create.append(unit_model(level="ward", code=int(ward.code), **values))
        else:
            for field, value in values.items():
                setattr(current, field, value)
            to_update.append(current)
    unit_model.objects.bulk_create(to_create, batch_size=1000)
    unit_model.objects.bulk_update(
        to_update, ["name", "division_type", "codename", "parent", "search_text"], batch_size=1000
    )
    return {"provinces": len(province_rows), "wards": len(to_create) + len(to_update)}
