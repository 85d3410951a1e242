"""No ORM path and no template attribute crosses an app boundary (decision 0011).

A foreign key to another app's model is a reference read by its `_id`: the owning app's
`api.py` returns what others need. This test walks each app's product modules for the
lookups of its querysets (string arguments and keyword names of ORM calls, such as
`filter(learner__citizen_profile__full_name=...)`, `F("provider__name")`,
`select_related("course__provider")`) and each app's templates for attribute chains
(`{{ course.provider.name }}`), and resolves them against the app's models with Django's
`_meta`: a path that enters another app's model and reads on is a crossing, and so is a
`select_related`/`prefetch_related` that joins another app's model at all.
"""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps
from django.db.models import Model

BASE_DIR = Path(__file__).resolve().parent.parent
APPS = ("profiles", "notices", "courses", "credentials")

# Methods and expressions whose string arguments and keyword names are ORM lookups.
ORM_CALLS = {
    "filter",
    "exclude",
    "get",
    "get_or_create",
    "update_or_create",
    "values",
    "values_list",
    "order_by",
    "select_related",
    "prefetch_related",
    "annotate",
    "aggregate",
    "only",
    "defer",
    "distinct",
    "F",
    "Q",
    "OuterRef",
    "Prefetch",
    "Count",
    "Sum",
    "Min",
    "Max",
    "Avg",
}
# Joins another app's model even when the path ends at the foreign key.
JOINING_CALLS = {"select_related", "prefetch_related", "Prefetch"}
# Read on the far side of a foreign key without a join: its key.
KEY_SEGMENTS = {"id", "pk"}

# Crossings not yet moved behind the owning app's api.py (issue 19, point 1). The list may
# only shrink: a crossing fixed must leave it (test_the_allowlist_names_only_live_crossings),
# and no new one may join it. Each entry: (file, lookup).
ALLOWED_ORM_CROSSINGS = {
    # The REST serializers read course.provider.name and the offering's ward and province
    # as nested places; these joins feed them (and the views' permission checks).
    ("courses/selectors/catalog.py", "course__provider"),
    ("courses/selectors/catalog.py", "provider__ward__parent"),
    ("courses/selectors/catalog.py", "provider"),
    ("courses/selectors/catalog.py", "ward"),
    ("courses/selectors/catalog.py", "province"),
    ("courses/selectors/search.py", "course__provider"),
    ("courses/selectors/search.py", "ward"),
    ("courses/selectors/search.py", "province"),
    ("courses/selectors/enrollments.py", "offering__course__provider"),
    ("courses/selectors/enrollments.py", "offering__ward"),
    ("courses/selectors/enrollments.py", "offering__province"),
    ("courses/rest/catalog.py", "course__provider"),
    ("courses/rest/catalog.py", "ward"),
    ("courses/rest/catalog.py", "province"),
    ("courses/rest/catalog_serializers.py", "provider__name"),  # serializers.CharField(source=...)
}
ALLOWED_TEMPLATE_CROSSINGS: set[tuple[str, str]] = set()


def _app_of(model: type[Model]) -> str:
    return model._meta.app_label


def _relation(model: type[Model], name: str) -> tuple[type[Model] | None, bool]:
    """(the model `name` leads to from `model`, or None if it is not a relation; whether
    `name` is a field or relation of `model` at all)."""
    for field in model._meta.get_fields():
        names = {field.name}  # a reverse relation's name is its query name
        if getattr(field, "attname", None) == name:
            return None, True
        if name in names:
            return (field.related_model if field.is_relation else None), True
    return None, False


def lookup_crosses(app: str, lookup: str, *, joins: bool) -> bool:
    """Does `lookup` (e.g. "learner__citizen_profile__full_name"), read from some model of
    `app`, enter another app's model and read on (or join it at all, when `joins`)?"""
    segments = lookup.lstrip("-").split("__")
    for start in apps.get_app_config(app).get_models():
        model: type[Model] | None = start
        for position, segment in enumerate(segments):
            assert model is not None
            target, exists = _relation(model, segment)
            if not exists:
                break
            if target is None:
                break
            if _app_of(target) != app:
                rest = [part for part in segments[position + 1 :] if part not in KEY_SEGMENTS]
                # What follows may be a lookup (`__in`, `__isnull`) on the key: no field of
                # the far model is read then.
                reads_on = bool(rest) and _relation(target, rest[0])[1]
                if joins or reads_on:
                    return True
                break
            model = target
    return False


def _follows_a_relation(model: type[Model], segments: list[str]) -> bool:
    target, _exists = _relation(model, segments[0])
    return target is not None and _relation(target, segments[1])[1]


def reads_another_apps_relations(app: str, lookup: str) -> bool:
    """Does `lookup` follow a relation of another app's models, on a query that app handed
    over (e.g. "citizen_profile__full_name" on people from profiles.api), where no model
    of `app` has its first segment?"""
    segments = lookup.lstrip("-").split("__")
    if len(segments) < 2:
        return False
    if any(_relation(model, segments[0])[1] for model in apps.get_app_config(app).get_models()):
        return False
    return any(
        _follows_a_relation(model, segments)
        for other in APPS
        if other != app
        for model in apps.get_app_config(other).get_models()
    )


def _call_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return ""


def python_lookups(source: str) -> Iterator[tuple[str, bool]]:
    """(lookup, whether the call joins) for each ORM lookup written in `source`."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        for keyword in node.keywords:
            if (
                keyword.arg == "source"
                and isinstance(keyword.value, ast.Constant)
                and isinstance(keyword.value.value, str)
            ):
                # A serializer field's attribute path ("provider.name") reads like a lookup.
                yield keyword.value.value.replace(".", "__"), False
        if name not in ORM_CALLS:
            continue
        joins = name in JOINING_CALLS
        for argument in node.args:
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                yield argument.value, joins
        for keyword in node.keywords:
            if keyword.arg is not None and "__" in keyword.arg:
                yield keyword.arg, joins
            if (
                name in {"F", "OuterRef", "Prefetch"}
                and isinstance(keyword.value, ast.Constant)
                and isinstance(keyword.value.value, str)
            ):
                yield keyword.value.value, joins


def orm_crossings(app: str, source: str) -> set[str]:
    return {
        lookup
        for lookup, joins in python_lookups(source)
        if re.fullmatch(r"-?[a-z_][a-z0-9_]*", lookup)
        and (lookup_crosses(app, lookup, joins=joins) or reads_another_apps_relations(app, lookup))
    }


def cross_app_relation_names(app: str) -> set[str]:
    """The names by which `app`'s models reach another app's models (forward and reverse)."""
    names = set()
    for model in apps.get_app_config(app).get_models():
        for field in model._meta.get_fields():
            if not field.is_relation or field.related_model is None:
                continue
            if _app_of(field.related_model) == app:  # type: ignore[arg-type]
                continue
            if field.auto_created and not field.concrete:
                names.add(field.get_accessor_name())  # type: ignore[union-attr]
            else:
                names.add(field.name)
    return names


TEMPLATE_TAG = re.compile(r"{{(.*?)}}|{%(.*?)%}", re.DOTALL)
CHAIN = re.compile(r"(?<![\w.'\"])([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+)")


def template_crossings(app: str, text: str) -> set[str]:
    """Attribute chains in a template of `app` that follow one of its cross-app relations
    and read on (`course.provider.name`); a form's bound fields (`form.ward.label`) are not
    relations."""
    relations = cross_app_relation_names(app)
    found = set()
    for match in TEMPLATE_TAG.finditer(text):
        for chain in CHAIN.findall(match.group(1) or match.group(2)):
            parts = chain.split(".")
            if parts[0] == "form" or parts[0].endswith("_form"):
                continue
            if any(
                part in relations and parts[position + 1] not in KEY_SEGMENTS
                for position, part in enumerate(parts[1:-1], start=1)
            ):
                found.add(chain)
    return found


def product_modules(app: str) -> Iterator[Path]:
    for path in sorted((BASE_DIR / app).rglob("*.py")):
        parts = path.relative_to(BASE_DIR / app).parts
        if parts[0] in {"tests", "migrations", "management"}:
            continue
        yield path


def templates_of(app: str) -> Iterator[Path]:
    yield from sorted((BASE_DIR / "templates" / app).rglob("*.html"))
    yield from sorted((BASE_DIR / "templates" / app).rglob("*.txt"))


def all_orm_crossings() -> set[tuple[str, str]]:
    return {
        (str(path.relative_to(BASE_DIR)), lookup)
        for app in APPS
        for path in product_modules(app)
        for lookup in orm_crossings(app, path.read_text())
    }


def all_template_crossings() -> set[tuple[str, str]]:
    return {
        (str(path.relative_to(BASE_DIR)), chain)
        for app in APPS
        for path in templates_of(app)
        for chain in template_crossings(app, path.read_text())
    }


def test_the_walk_finds_a_lookup_that_reads_another_apps_model():
    source = (
        "Enrollment.objects.values(name=F('learner__citizen_profile__full_name'))\n"
        "Course.objects.order_by('provider__name')\n"
        "Offering.objects.select_related('course__provider')\n"
        "profiles_api.people_consenting(purpose=p).values(n=F('citizen_profile__full_name'))\n"
    )

    assert orm_crossings("courses", source) == {
        "learner__citizen_profile__full_name",
        "provider__name",
        "course__provider",
        "citizen_profile__full_name",
    }


def test_the_walk_lets_a_foreign_key_be_read_by_its_key():
    source = (
        "Course.objects.filter(provider_id__in=ids).order_by('title')\n"
        "Enrollment.objects.filter(learner__in=people, offering__course__provider_id=1)\n"
        "Offering.objects.select_related('course').values('course__provider_id', 'ward_id')\n"
    )

    assert orm_crossings("courses", source) == set()


def test_the_walk_finds_a_template_attribute_across_an_app():
    text = (
        "{{ course.provider.name }} {{ offering.ward_name }} {{ form.ward.id_for_label }}"
        "{% blocktranslate with ward=offering.ward.name %}{% endblocktranslate %}"
    )

    assert template_crossings("courses", text) == {"course.provider.name", "offering.ward.name"}


def test_no_queryset_lookup_crosses_an_app_boundary_beyond_the_allowlist():
    assert all_orm_crossings() - ALLOWED_ORM_CROSSINGS == set()


def test_no_template_reads_across_an_app_boundary():
    assert all_template_crossings() - ALLOWED_TEMPLATE_CROSSINGS == set()


def test_the_allowlist_names_only_live_crossings():
    """A crossing moved behind an api.py leaves the allowlist, so the list only shrinks."""
    assert ALLOWED_ORM_CROSSINGS - all_orm_crossings() == set()
    assert ALLOWED_TEMPLATE_CROSSINGS - all_template_crossings() == set()
