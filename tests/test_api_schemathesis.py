"""The API keeps the promises of its OpenAPI schema, checked by schemathesis (pinned).

For every operation of the schema /api/schema/ serves, schemathesis generates requests: its
coverage cases (the boundaries of every parameter and field, and values that break them, as
"" for a decimal), the schema's examples, and MAX_EXAMPLES more from Hypothesis, valid and
invalid. They go through Django's WSGI application, the whole middleware stack, against real
PostgreSQL inside the test's transaction, as three personas with token authentication: an
anonymous visitor, a learner and a center manager with a second factor (see `_callers`).
Each answer must not be a server error, must have a status and a content type the operation
documents, and a body matching the documented schema (ApiAutoSchema documents the errors).

Path ids are either generated or those of a small world (a center's running class with the
learner enrolled, an upcoming offering, a record waiting for the center's verification, a
certificate template), so answers beyond 404 are checked too. Bounded and deterministic:
derandomized, no example database, no shrinking (the failure shown is the example that
failed, and a rerun finds it again). About a minute for the 35 operations.
"""

import json
import re
import zlib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core import NotSet
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from courses.models import Enrollment, Session
from courses.tests.factories import class_make, course_make, offering_make
from credentials.tests.factories import achievement_make
from learnprofile.access import STAFF, view_access
from learnprofile.wsgi import application
from profiles.data import LearningCategory
from profiles.models import LearningRecord
from profiles.services.learning import learning_record_self_report
from profiles.tests.factories import with_mfa

MAX_EXAMPLES = 10
PERSONAS = ("anonymous", "learner", "center_manager")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# The things of the world, by the path parameter that names them.
WORLD_IDS = {
    "offering_id": "0f1e2d3c-0000-4000-8000-000000000001",
    "course_id": "0f1e2d3c-0000-4000-8000-000000000002",
    "session_id": "0f1e2d3c-0000-4000-8000-000000000003",
    "enrollment_id": "0f1e2d3c-0000-4000-8000-000000000004",
    "record_id": "0f1e2d3c-0000-4000-8000-000000000005",
    "achievement_id": "0f1e2d3c-0000-4000-8000-000000000006",
}


@pytest.fixture
def headers_by_persona(personas: Any) -> dict[str, dict[str, str]]:
    """The world, and how each persona authenticates: a center's running class with the
    learner enrolled, an upcoming offering of another course, a record the learner asked the
    center to verify, a certificate template; the center manager has a second factor."""
    center = personas.center_manager.memberships.get().organization
    running = class_make(center, learners=2, sessions=2)
    Session.objects.filter(pk=running.current.pk).update(public_id=WORLD_IDS["session_id"])
    Enrollment.objects.create(
        public_id=WORLD_IDS["enrollment_id"],
        offering=running.offering,
        learner=personas.learner,
        status="active",
    )
    course = course_make(center, public_id=WORLD_IDS["course_id"], title="Trồng nấm rơm")
    offering_make(course, public_id=WORLD_IDS["offering_id"])
    record = learning_record_self_report(
        actor=personas.learner,
        title="Tự học nuôi ong",
        category=LearningCategory.AGRICULTURE,
        hours=Decimal(6),
        started_on=None,
        ended_on=None,
        verifier_organization=center,
    )
    LearningRecord.objects.filter(pk=record.pk).update(public_id=WORLD_IDS["record_id"])
    achievement_make(center, course, public_id=WORLD_IDS["achievement_id"])
    with_mfa(personas.center_manager)

    def token(user: Any) -> dict[str, str]:
        return {"Authorization": f"Token {Token.objects.create(user=user).key}"}

    return {
        "anonymous": {},
        "learner": token(personas.learner),
        "center_manager": token(personas.center_manager),
    }


@pytest.fixture
def _requests_keep_the_test_transaction(settings: Any) -> Iterator[None]:
    """As Django's test client does: a request through the WSGI application would otherwise
    close the database connection, and with it the test's transaction. Rate-limit counters
    in memory: the thousands of requests here need not each write them to PostgreSQL."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _schema_as_served() -> dict[str, Any]:
    """What /api/schema/?format=json serves, made without a request: the database is not
    open while pytest collects the tests."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated, renderer_context={}))


schema = schemathesis.openapi.from_dict(_schema_as_served())
schema.app = application


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    """The generated ids, or (as often) the world's: answers beyond 404 get checked too."""
    if not path_parameters:
        return st.just(path_parameters)
    with_world_ids = {name: WORLD_IDS.get(name, value) for name, value in path_parameters.items()}
    return st.sampled_from([with_world_ids, path_parameters])


def _furthest_reaching(operation_path: str) -> str:
    """The persona whose requests the operation's view reads furthest: the center manager
    for a staff endpoint, else the learner."""
    path = re.sub(r"\{[^}]+\}", WORLD_IDS["offering_id"], operation_path)
    return "center_manager" if view_access(resolve(path).func) == STAFF else "learner"


def _callers(case: Any) -> list[str]:
    """Who sends this case: the persona reaching furthest always; the other two for one case
    in three (chosen by the case's content, so the same ones each run). For the others most
    answers do not depend on the data (401, 403 before the body is read), and sending every
    case three times would triple the run."""
    furthest = _furthest_reaching(case.operation.path)
    body = None if isinstance(case.body, NotSet) else case.body
    content = repr((case.path_parameters, case.query, body)).encode()
    if zlib.crc32(content) % 3:
        return [furthest]
    return [furthest, *(persona for persona in PERSONAS if persona != furthest)]


@pytest.mark.django_db
@pytest.mark.usefixtures("_requests_keep_the_test_transaction")
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_keeps_the_schemas_promises(
    case: Any, headers_by_persona: dict[str, dict[str, str]]
) -> None:
    for persona in _callers(case):
        # Rate limits (DRF throttles, attempt counters) live in the cache: each call starts
        # fresh, so a limit reached by earlier examples does not hide the operation.
        cache.clear()
        response = case.call(headers=headers_by_persona[persona])
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as failure:
            failure.add_note(f"Sent as: {persona}")
            raise
