"""Trust ``X-Forwarded-For`` and ``X-Forwarded-Proto`` from configured proxies.

``trusted_hosts`` holds IP addresses, networks in CIDR notation, literals such as a unix
socket path (matched against the client as a string), or ``*`` to trust every client.
The client address becomes the right-most address in ``X-Forwarded-For`` (all of its
lines, in order, as one list) that is not itself a trusted proxy (with the port the proxy
gave, else 0); the scheme comes from the last ``X-Forwarded-Proto``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from typing import Any, Final

from uvicorn._types import ASGI3Application, ASGIReceiveCallable, ASGISendCallable, Scope

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# X-Forwarded-Proto value -> whether the client's connection to the proxy was secure.
_SECURE_BY_PROTO: Final[dict[str, bool]] = {"http": False, "ws": False, "https": True, "wss": True}
_MAX_REMEMBERED: Final = 1024


class ProxyHeadersMiddleware:
    def __init__(self, app: ASGI3Application, trusted_hosts: list[str] | str = "127.0.0.1") -> None:
        self.app = app
        self.trusted = _TrustedHosts(trusted_hosts)

    async def __call__(
        self, scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> None:
        if scope["type"] != "lifespan":
            self.trusted.apply(scope)
        return await self.app(scope, receive, send)


def proxy_headers_app(
    app: ASGI3Application, trusted_hosts: list[str] | str
) -> Callable[[Scope, ASGIReceiveCallable, ASGISendCallable], Awaitable[None]]:
    """What the server wraps apps with: ProxyHeadersMiddleware without its extra coroutine.

    The returned callable fixes the scope up and hands back the app's own awaitable, so a
    request costs no additional coroutine frame. (Interface detection has already run on
    the app by then; users wrapping apps themselves keep using ProxyHeadersMiddleware.)
    """
    trusted = _TrustedHosts(trusted_hosts)

    def call(scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable) -> Awaitable[None]:
        if scope["type"] != "lifespan":
            trusted.apply(scope)
        return app(scope, receive, send)

    return call


def split_host_port(hop: str) -> tuple[str, int]:
    """``"1.2.3.4:80"`` -> ``("1.2.3.4", 80)``; ``"[::1]:80"`` -> ``("::1", 80)``; else port 0."""
    if hop.startswith("["):
        host, bracket, rest = hop[1:].partition("]")
        if bracket:
            port = rest[1:] if rest.startswith(":") else ""
            return host, int(port) if port.isascii() and port.isdigit() else 0
    elif hop.count(":") == 1:  # more than one colon: a bare IPv6 address
        host, _, port = hop.partition(":")
        if port.isascii() and port.isdigit():
            return host, int(port)
    return hop, 0


class _TrustedHosts:
    def __init__(self, trusted_hosts: list[str] | str) -> None:
        if isinstance(trusted_hosts, str):
            trusted_hosts = trusted_hosts.split(",")
        items = [item.strip() for item in trusted_hosts]
        self.always = "*" in items
        self.addresses: set[IPAddress] = set()
        self.networks: list[IPNetwork] = []
        self.literals: set[str] = set()
        # Clients repeat: remember the decision per address string (bounded).
        self.decisions: dict[str, bool] = {}
        for item in items:
            if not item or item == "*":
                continue
            try:
                if "/" in item:
                    # Strict: "10.0.0.1/8" is not a network, so it stays a literal.
                    self.networks.append(ipaddress.ip_network(item))
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
            if len(self.decisions) >= _MAX_REMEMBERED:
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

    def apply(self, scope: Scope) -> None:
        """Take scheme and client from the proxy headers of a trusted client.

        A scope without a client (a unix socket peer) is trusted only under ``*``.
        """
        client: Any = scope.get("client")
        if not (self.always or (client and client[0] in self)):
            return
        forwarded_proto = forwarded_for = None
        for name, value in scope["headers"]:  # type: ignore[typeddict-item]  # http/websocket
            if name == b"x-forwarded-proto":
                forwarded_proto = value  # one value: the last line wins, as upstream
            elif name == b"x-forwarded-for":
                # A list: several lines are one chain, in order (RFC 9110 5.3, upstream).
                forwarded_for = value if forwarded_for is None else forwarded_for + b", " + value
        if forwarded_proto is not None:
            secure = _SECURE_BY_PROTO.get(forwarded_proto.decode("latin1").strip().lower())
            if secure is not None:
                if scope["type"] == "websocket":
                    scope["scheme"] = "wss" if secure else "ws"
                else:
                    scope["scheme"] = "https" if secure else "http"  # type: ignore[typeddict-unknown-key]  # http scope
        if forwarded_for is not None:
            forwarded_client = self.client_from(forwarded_for.decode("latin1"))
            if forwarded_client is not None:
                scope["client"] = forwarded_client  # type: ignore[typeddict-unknown-key]  # http/ws

    def client_from(self, forwarded_for: str) -> tuple[str, int] | None:
        """The right-most hop of the chain that is not a trusted proxy, as (host, port).

        ``None`` when the chain gives no usable address: the scope keeps its client.
        """
        hops = [split_host_port(hop.strip()) for hop in forwarded_for.split(",")]
        if self.always:
            chosen = hops[0]  # every hop is trusted: the left-most one is the client
        else:
            chosen = next((hop for hop in reversed(hops) if hop[0] not in self), hops[0])
        return chosen if chosen[0] else None
