"""Trust ``X-Forwarded-For`` and ``X-Forwarded-Proto`` from configured proxies.

``trusted_hosts`` holds IP addresses, networks in CIDR notation, literals such as a unix
socket path (matched against the client as a string), or ``*`` to trust every client.
The client address becomes the right-most address in ``X-Forwarded-For`` that is not
itself a trusted proxy; the scheme comes from ``X-Forwarded-Proto``.
"""

from __future__ import annotations

import ipaddress

from uvicorn._types import ASGI3Application, ASGIReceiveCallable, ASGISendCallable, Scope

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class ProxyHeadersMiddleware:
    def __init__(self, app: ASGI3Application, trusted_hosts: list[str] | str = "127.0.0.1") -> None:
        self.app = app
        self.trusted = _TrustedHosts(trusted_hosts)

    async def __call__(
        self, scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> None:
        if scope["type"] == "lifespan":
            return await self.app(scope, receive, send)
        client = scope.get("client")
        client_host = client[0] if client else None
        if client_host is not None and client_host in self.trusted:
            forwarded_proto = forwarded_for = None
            for name, value in scope["headers"]:
                if name == b"x-forwarded-proto":
                    forwarded_proto = value
                elif name == b"x-forwarded-for":
                    forwarded_for = value
            if forwarded_proto is not None:
                proto = forwarded_proto.decode("latin1").strip().lower()
                if scope["type"] == "websocket":
                    scope["scheme"] = "wss" if proto in ("https", "wss") else "ws"
                elif proto in ("http", "https"):
                    scope["scheme"] = proto
            if forwarded_for is not None:
                host = self.trusted.client_from(forwarded_for.decode("latin1"))
                if host is not None:
                    scope["client"] = (host, 0)
        return await self.app(scope, receive, send)


class _TrustedHosts:
    def __init__(self, trusted_hosts: list[str] | str) -> None:
        if isinstance(trusted_hosts, str):
            items = [item.strip() for item in trusted_hosts.split(",")]
        else:
            items = [item.strip() for item in trusted_hosts]
        self.always = "*" in items
        self.addresses: set[ipaddress.IPv4Address | ipaddress.IPv6Address] = set()
        self.networks: list[IPNetwork] = []
        self.literals: set[str] = set()
        # Clients repeat: remember the decision per address string (bounded).
        self.decisions: dict[str, bool] = {}
        for item in items:
            if not item or item == "*":
                continue
            try:
                if "/" in item:
                    self.networks.append(ipaddress.ip_network(item, strict=False))
                else:
                    self.addresses.add(ipaddress.ip_address(item))
            except ValueError:
                self.literals.add(item)

    def __contains__(self, host: str) -> bool:
        if self.always:
            return True
        known = self.decisions.get(host)
        if known is None:
            known = self._decide(host)
            if len(self.decisions) >= 1024:
                self.decisions.clear()
            self.decisions[host] = known
        return known

    def _decide(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return host in self.literals
        if address in self.addresses:
            return True
        return any(address in network for network in self.networks)

    def client_from(self, forwarded_for: str) -> str | None:
        """The right-most address of the chain that is not a trusted proxy."""
        hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
        if not hops:
            return None
        if self.always:
            return hops[0]
        for hop in reversed(hops):
            if hop not in self:
                return hop
        return hops[0]  # every hop is trusted: the first one is the client
