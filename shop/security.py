"""Who is asking, and what the browser may do with the answer.

``client_ip`` is the one place that says which address a request came from. Behind
the documented nginx every request reaches gunicorn from 127.0.0.1, so the address
must come from ``X-Forwarded-For``, but only the part that trusted proxies
(``TRUSTED_PROXIES``) wrote: anyone can send that header, so it counts only when the
request came through such a proxy, and then the nearest address no trusted proxy
owns is the client. Login protection (``AXES_CLIENT_IP_CALLABLE``) and ``/metrics``
use it.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies):
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _address(value):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _is_trusted_proxy(address):
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    return address is not None and any(address in network for network in networks)


def client_ip(request):
    """The address of the browser, as far as trusted proxies vouch for it."""
    remote = request.META.get("REMOTE_ADDR", "")
    if not _is_trusted_proxy(_address(remote)):
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    # Each proxy appends the address it saw; read from the nearest one outwards and stop
    # at the first address that no trusted proxy owns: everything left of it is hearsay.
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break
        remote = str(address)
        if not _is_trusted_proxy(address):
            break
    return remote


def is_loopback(request):
    address = _address(client_ip(request))
    return address is not None and address.is_loopback
