"""The address a request came from, read correctly behind trusted proxies.

Behind a load balancer every request reaches gunicorn from the balancer's own
address (REMOTE_ADDR), so anything keyed on it (sign-in lockout, throttles) would
treat every reader as one client. Each proxy appends the address it received the
connection from to X-Forwarded-For; with TRUSTED_PROXY_COUNT proxies in front of
the site, the client's address is the TRUSTED_PROXY_COUNT-th entry from the right.
Entries further left were written by the client and are never trusted. With no
count (the default) no header is trusted at all.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        # Fewer hops than proxies: the request did not come through all of them; the
        # header proves nothing, so fall back to the connection's own address.
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
