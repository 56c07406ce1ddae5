"""The client's address of a request, behind trusted reverse proxies.

One function, `client_ip`, used by the public rate limits, the login lockout (axes) and the audit trail.
Without a trusted-proxy setting it is ``REMOTE_ADDR``. With one, ``X-Forwarded-For`` is read only when the
direct peer is a trusted proxy:

- ``TRUSTED_PROXIES`` (``FANGUAI_TRUSTED_PROXIES``): addresses and networks of the proxies. The header is
  walked from the right, skipping trusted proxies; the first address that is not one is the client.
- ``PROXY_HOPS`` (``FANGUAI_PROXY_HOPS``): the number of proxies in front. The client is the Nth entry from
  the right. Alone, every peer counts as a proxy (the server must be reachable only through them); with
  ``TRUSTED_PROXIES`` as well, the peer must also be one of those.

A malformed entry ends the walk: the address that passed it on is the client, so nothing a client writes
to the left of garbage is believed. A header shorter than the hop count gives the peer's address.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_address(value: str | None) -> IPAddress | None:
    """An address from a header entry or REMOTE_ADDR, or None when malformed. Accepts ``1.2.3.4``,
    ``1.2.3.4:5678``, ``::1``, ``[::1]`` and ``[::1]:5678``; IPv4-mapped IPv6 becomes IPv4."""
    if not value:
        return None
    value = value.strip().strip('"')
    if value.startswith("["):
        host, bracket, rest = value[1:].partition("]")
        if not bracket or (rest and not (rest.startswith(":") and rest[1:].isdigit())):
            return None
        value = host
    elif value.count(":") == 1:  # IPv4 with a port
        host, _, port = value.partition(":")
        if not port.isdigit():
            return None
        value = host
    if "%" in value:  # no zone identifiers: they are local and not comparable
        return None
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    networks = []
    for item in spec:
        try:
            network = ipaddress.ip_network(item.strip(), strict=False)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"FANGUAI_TRUSTED_PROXIES: {item!r} is not an IP address or network."
            ) from exc
        if isinstance(network, ipaddress.IPv6Network) and network.prefixlen == 128 and network[0].ipv4_mapped:
            network = ipaddress.ip_network(network[0].ipv4_mapped)
        networks.append(network)
    return tuple(networks)


def _spec(value) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    return tuple(item.strip() for item in value or () if item and item.strip())


def trusted_networks() -> tuple[IPNetwork, ...]:
    """The trusted proxies of the TRUSTED_PROXIES setting (ImproperlyConfigured for a bad entry)."""
    return _networks(_spec(getattr(settings, "TRUSTED_PROXIES", ())))


def proxy_hops() -> int:
    try:
        hops = int(getattr(settings, "PROXY_HOPS", 0) or 0)
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured("FANGUAI_PROXY_HOPS must be a whole number.") from exc
    if hops < 0:
        raise ImproperlyConfigured("FANGUAI_PROXY_HOPS must not be negative.")
    return hops


def proxies_configured() -> bool:
    return bool(trusted_networks()) or proxy_hops() > 0


def _is_trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def peer_is_trusted(request) -> bool:
    """Whether the direct peer (REMOTE_ADDR) is a trusted proxy, whose forwarded headers count."""
    peer = parse_address(request.META.get("REMOTE_ADDR"))
    if peer is None:
        return False
    networks, hops = trusted_networks(), proxy_hops()
    if networks:
        return _is_trusted(peer, networks)
    return hops > 0


def _forwarded_for(request) -> list[str]:
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return [entry.strip() for entry in header.split(",")] if header else []


def client_ip(request) -> str | None:
    """The client's address as a string (IPv6 compressed, IPv4-mapped as IPv4), or None when unknown."""
    peer = parse_address(request.META.get("REMOTE_ADDR"))
    if peer is None:
        return None
    if not peer_is_trusted(request):
        return str(peer)
    entries = _forwarded_for(request)
    hops = proxy_hops()
    if hops:
        if len(entries) < hops:
            return str(peer)
        chosen = parse_address(entries[-hops])
        return str(chosen or peer)
    networks = trusted_networks()
    client = peer
    for entry in reversed(entries):
        address = parse_address(entry)
        if address is None:
            break
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)
