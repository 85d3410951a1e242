"""The OpenAPI schema (drf-spectacular) tells the truth about errors and decimals.

`ApiAutoSchema` is REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS. For every operation it adds the
error answers the operation can give, each with the one envelope of `learnprofile.api_errors`
(component `ErrorEnvelope`), from what the view and the operation declare:

| status | when |
| --- | --- |
| 400 | a request body, a query parameter, or a method that writes (validation, malformed JSON) |
| 401 | the view authenticates (no credentials where they are needed, or an invalid token) |
| 403 | sign-in is required (a role, a second factor or an object's owner refuses), or a session's write without its CSRF token |
| 404 | the path names an object (also a malformed id: no route matches it), or a page of a paginated list (past the last) |
| 409 | a signed-in person's write (the state of things refuses it) |
| 413 | a request body (over the upload limit, or the view's own) |
| 415 | a request body of a media type the view does not read |
| 429 | the view is throttled |

A view adds what only it answers (a 404 for an id in the body, 410, 422) with
`extend_schema(responses={...: API_ERROR})`; a status an operation already documents is kept.

Decimal fields (DRF writes and reads them as strings) get a pattern that asks for at least one
digit and a sign only where negative values are allowed: drf-spectacular's own pattern accepts
"", "-" and ".", which the server refuses.
"""

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers
from rest_framework.authentication import SessionAuthentication

ERROR_ENVELOPE_COMPONENT = "ErrorEnvelope"
ERROR_ENVELOPE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every error of the API, in the person's language.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {
                    "type": "string",
                    "description": "For programs: validation_error, not_authenticated, "
                    "permission_denied, not_found, conflict, payload_too_large, throttled, "
                    "or a refusal's own code (phone_shared, offering_full, ...).",
                },
                "message": {"type": "string", "description": "For people."},
                "fields": {
                    "type": "object",
                    "additionalProperties": {},
                    "description": "validation_error only: the messages of each field (a list "
                    "of strings; an object for nested or listed items).",
                },
            },
            "required": ["code", "message"],
        }
    },
    "required": ["error"],
}
ERROR_REFERENCE = {"$ref": f"#/components/schemas/{ERROR_ENVELOPE_COMPONENT}"}

# For a view's extend_schema(responses={404: API_ERROR}).
API_ERROR = OpenApiResponse(response=ERROR_REFERENCE, description="An error (ErrorEnvelope).")

ERROR_DESCRIPTIONS = {
    400: "Invalid request: `fields` says which field and why.",
    401: "Not signed in, or an invalid token.",
    403: "Not permitted.",
    404: "Not found (also a malformed id, or a page past the last).",
    409: "Refused in the current state of things.",
    413: "Request body too large.",
    415: "Unsupported media type.",
    429: "Too many requests; Retry-After says when to try again.",
}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class ApiAutoSchema(AutoSchema):
    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        self.registry.register_on_missing(
            ResolvedComponent(  # type: ignore[no-untyped-call]
                name=ERROR_ENVELOPE_COMPONENT,
                type=ResolvedComponent.SCHEMA,
                object=ERROR_ENVELOPE_COMPONENT,
                schema=ERROR_ENVELOPE_SCHEMA,
            )
        )
        responses = operation["responses"]
        for status_code in sorted(self._error_statuses(operation)):
            responses.setdefault(
                str(status_code),
                {
                    "description": ERROR_DESCRIPTIONS[status_code],
                    "content": {"application/json": {"schema": ERROR_REFERENCE}},
                },
            )
        return operation

    def _error_statuses(self, operation: dict[str, Any]) -> set[int]:
        parameters = operation.get("parameters", [])
        has_body = "requestBody" in operation
        writes = self.method in WRITE_METHODS
        authenticators = self.view.get_authenticators()
        anyone = permissions.AllowAny in {type(p) for p in self.view.get_permissions()}
        statuses: set[int] = set()
        if has_body or writes or any(p["in"] == "query" for p in parameters):
            statuses.add(400)
        if authenticators:
            statuses.add(401)
        if not anyone or (
            writes and any(isinstance(a, SessionAuthentication) for a in authenticators)
        ):
            statuses.add(403)
        paginator = self._get_paginator()  # type: ignore[no-untyped-call]
        paginated_list = self.method == "GET" and self._is_list_view() and paginator is not None
        if paginated_list or any(p["in"] == "path" for p in parameters):
            statuses.add(404)
        if writes and not anyone:
            statuses.add(409)
        if has_body:
            statuses.add(415)
        if has_body or writes:
            # The middleware refuses any announced body over the upload limit, whether or
            # not the operation reads one.
            statuses.add(413)
        if self.view.get_throttles():
            statuses.add(429)
        # Answers a view gives that the rules above cannot see (a per-person limit kept by a
        # service, say): listed on the view as `error_statuses`.
        statuses.update(getattr(self.view, "error_statuses", ()))
        return statuses

    def _map_serializer_field(
        self, field: Any, direction: str, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_serializer_field(  # type: ignore[no-untyped-call]
            field, direction, bypass_extensions
        )
        if (
            isinstance(field, serializers.DecimalField)
            and schema.get("type") == "string"
            and field.max_whole_digits is not None
            and field.decimal_places is not None
        ):
            sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
            whole = max(field.max_whole_digits, 1)
            schema["pattern"] = rf"^{sign}\d{{1,{whole}}}(?:\.\d{{1,{field.decimal_places}}})?$"
        return schema
