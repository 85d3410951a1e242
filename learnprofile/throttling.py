"""DRF's throttles, counting by the client address of `learnprofile.client_address`.

DRF's own `get_ident` takes `X-Forwarded-For` whole when `NUM_PROXIES` is unset (a client
that changes the header escapes its throttle) and believes a header shorter than the proxy
count. These count by the same address as every other limit of the project (an IPv6 client by
its /64 network); settings name them in `DEFAULT_THROTTLE_CLASSES`, and `NUM_PROXIES` follows
`TRUSTED_PROXY_COUNT` for any DRF throttle used directly.
"""

from typing import Any

from rest_framework import throttling

from learnprofile.client_address import address_group, client_address


class _ClientAddressIdent:
    def get_ident(self, request: Any) -> str:
        return address_group(client_address(request))


class AnonRateThrottle(_ClientAddressIdent, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_ClientAddressIdent, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(_ClientAddressIdent, throttling.ScopedRateThrottle):
    pass
