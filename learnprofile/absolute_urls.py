"""Absolute URLs of this platform's own pages: the one place they are built.

Links in emails and notices sent by a worker, and the addresses signed into credentials (the
credential's and the achievement's `id`, the issuer's `url`, the evidence, the status list),
all point at `settings.SITE_URL` (scheme and host, no trailing slash, e.g.
`https://hoctap.gov.vn`) followed by the path `reverse()` gives for a named route, so an
address that no route answers cannot be built (it raises instead of being signed).
"""

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse


def absolute_url(
    viewname: str,
    *,
    args: Sequence[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    query: Mapping[str, str] | None = None,
) -> str:
    """`SITE_URL` + the path of the named route, e.g. `absolute_url("credential_page",
    kwargs={"credential_id": uuid})` -> `"https://hoctap.gov.vn/credentials/<uuid>"`.

    `args`/`kwargs` are the route's arguments, as `reverse()` takes them (a UUID is written in
    its canonical hyphenated form); `query`, when given and not empty, is appended as a URL
    query string (`?a=1&b=2`, percent-encoded). The same route and arguments always give the
    same string, byte for byte: what is signed stays verifiable.

    Raises django.urls.NoReverseMatch when no route of that name takes these arguments.
    """
    url = f"{settings.SITE_URL}{reverse(viewname, args=args, kwargs=kwargs)}"
    if query:
        url = f"{url}?{urlencode(query)}"
    return url


def site_path(url: str) -> str | None:
    """The path (and query) of an absolute URL of this platform, e.g.
    `"https://hoctap.gov.vn/credentials/status/<uuid>"` -> `"/credentials/status/<uuid>"`;
    None for a URL that does not start with `SITE_URL` + "/" (another host's, or not a URL).
    Nothing is fetched and nothing raised; the path is not checked against the routes."""
    prefix = f"{settings.SITE_URL}/"
    return url[len(prefix) - 1 :] if url.startswith(prefix) else None
