"""JSON-LD for verifiable credentials: contexts shipped with the project, never fetched, and
canonical N-Quads (RDFC-1.0, the algorithm PyLD calls URDNA2015) in *safe mode*.

Safe mode: a term that no context defines must be an error, never a silently unsigned field.
PyLD has no safe mode and drops such terms, so the document is expanded with one more context
after its own, `{"@vocab": UNDEFINED}`: a defined term keeps its meaning (the contexts are
protected, and `@vocab` only catches what they leave undefined), an undefined one expands under
UNDEFINED and is refused. With none, that expansion is exactly the document's own, so it is the
one canonicalised. Later VC 2.0 contexts map undefined terms to `issuer-dependent#`; those are
refused too.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from pyld import jsonld

CONTEXT_DIR = Path(__file__).resolve().parent / "contexts"
# The URL a credential names -> the unmodified copy shipped in contexts/ (../shared/standards).
CONTEXT_FILES = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "context-3.0.3.json",
    "https://w3id.org/security/data-integrity/v1": "data-integrity-v1.jsonld",
    "https://www.w3.org/ns/did/v1": "did-v1.jsonld",
    # 1EdTech's extensions (1EdTechJsonSchemaValidator2019, ...), as its validator ships it.
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": "ob-v3p0-extensions.json",
}
ISSUER_DEPENDENT = "https://www.w3.org/ns/credentials/issuer-dependent#"
UNDEFINED = "urn:learnprofile:undefined-term:"
_UNDEFINED_PREFIXES = (UNDEFINED, ISSUER_DEPENDENT)


class JsonLdError(ValueError):
    """The document cannot be processed: an unknown context, an undefined term, bad JSON-LD."""


@cache
def _context(url: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((CONTEXT_DIR / CONTEXT_FILES[url]).read_text())
    return document


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """PyLD's loader: only the shipped contexts; any other URL is refused, never fetched."""
    if url not in CONTEXT_FILES:
        raise JsonLdError(
            _("Ngữ cảnh JSON-LD không được hỗ trợ: %(url)s (chỉ dùng các ngữ cảnh chuẩn có sẵn).")
            % {"url": url[:200]}
        )
    # "static": PyLD keeps the resolved context in its shared cache (no reload, no
    # re-canonicalised cache keys), and its processed forms with it.
    return {"contextUrl": None, "documentUrl": url, "document": _context(url), "tag": "static"}


_OPTIONS = {"documentLoader": document_loader}


def _check_terms(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _check_terms(item)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if not key.startswith("@") and (key.startswith(_UNDEFINED_PREFIXES) or ":" not in key):
            raise JsonLdError(
                _("Thuộc tính “%(term)s” không được định nghĩa trong ngữ cảnh nào.")
                % {"term": _term(key)[:100]}
            )
        if key == "@type":
            for type_iri in value if isinstance(value, list) else [value]:
                if isinstance(type_iri, str) and (
                    type_iri.startswith(_UNDEFINED_PREFIXES) or ":" not in type_iri
                ):
                    raise JsonLdError(
                        _("Loại “%(type)s” không được định nghĩa trong ngữ cảnh nào.")
                        % {"type": _term(type_iri)[:100]}
                    )
        _check_terms(value)


def _term(iri: str) -> str:
    for prefix in _UNDEFINED_PREFIXES:
        iri = iri.removeprefix(prefix)
    return iri


def _own_message(error: BaseException | None) -> str:
    """Our loader's reason, when PyLD wrapped it (its own message is long and technical)."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, JsonLdError):
            return str(error)
        error = getattr(error, "cause", None) or error.__cause__
        seen += 1
    return ""


def _not_json_ld() -> str:
    return str(_("Nội dung không phải là JSON-LD hợp lệ (ngữ cảnh hoặc giá trị sai dạng)."))


def canonize(document: dict[str, Any]) -> str:
    """The document's canonical N-Quads (RDFC-1.0), in safe mode. Raises JsonLdError."""
    context = document.get("@context")
    contexts = context if isinstance(context, list) else [context]
    guarded = {**document, "@context": [*contexts, {"@vocab": UNDEFINED}]}
    try:
        expanded = jsonld.expand(guarded, _OPTIONS)
        _check_terms(expanded)
        canonical: str = jsonld.normalize(
            expanded,
            {**_OPTIONS, "algorithm": "URDNA2015", "format": "application/n-quads"},
        )
    except JsonLdError:
        raise
    except jsonld.JsonLdError as error:
        raise JsonLdError(_own_message(error) or _not_json_ld()) from error
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
        # PyLD raises plain Python errors on some malformed input (a relative IRI in
        # @context, a value of the wrong type): the document is not JSON-LD, not a crash.
        raise JsonLdError(_not_json_ld()) from error
    return canonical
