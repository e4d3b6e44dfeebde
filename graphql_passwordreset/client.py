"""Who is asking: the client address throttles trust, and what the token records for audit."""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest

from .addresses import normalise
from .conf import passwordreset_settings
from .models import USER_AGENT_MAX_LENGTH

__all__ = ["audit_ip", "audit_user_agent", "client_ip", "throttle_key"]


def client_ip(request: HttpRequest) -> str:
    """The client address as this server can vouch for it, never a value the client forges.

    With TRUSTED_PROXY_COUNT = n, the n-th entry from the right of X-Forwarded-For is the one
    the outermost trusted proxy saw; with fewer entries than that, REMOTE_ADDR.
    """
    address = request.META.get("REMOTE_ADDR", "") or ""
    proxies = passwordreset_settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    address = normalise(address)
    try:
        return ipaddress.ip_address(address).compressed
    except ValueError:
        return address


def audit_ip(request: HttpRequest) -> str | None:
    """The address the configured header claims (first entry of a list), or None if not an
    IP address. Kept for audit only: throttles use client_ip()."""
    raw = str(request.META.get(passwordreset_settings.IP_ADDRESS_HEADER, "") or "")
    # The first entry of a list; an IPv6 zone ("%eth0") is no part of an address to keep.
    first = raw.split(",")[0].strip().split("%")[0]
    try:
        address = ipaddress.ip_address(first)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return str(address.ipv4_mapped)
    return str(address)


def audit_user_agent(request: HttpRequest) -> str:
    raw = str(request.META.get(passwordreset_settings.USER_AGENT_HEADER, "") or "")
    return raw.replace("\x00", "")[:USER_AGENT_MAX_LENGTH]


def throttle_key(request: HttpRequest) -> str:
    """The client as the per-client rate limits count it: its address, or for IPv6 its network
    of IPV6_PREFIX_LENGTH bits, since one site is handed a whole /64 to pick addresses from."""
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv4Address):
        return address
    if parsed.ipv4_mapped:
        return str(parsed.ipv4_mapped)
    prefix = passwordreset_settings.IPV6_PREFIX_LENGTH
    return ipaddress.ip_network(f"{parsed}/{prefix}", strict=False).compressed
