"""Trust what configured proxies say about the original request.

``trusted_hosts`` holds IP addresses, networks in CIDR notation, literals such as a unix
socket path (matched against the client as a string), or ``*`` to trust every client.
Headers are read only from a trusted client, in one of two modes:

``x-forwarded`` (the default, as upstream uvicorn): the client address becomes the
right-most address in ``X-Forwarded-For`` (all of its lines, in order, as one list) that
is not itself a trusted proxy (with the port the proxy gave, else 0); the scheme comes
from the last ``X-Forwarded-Proto``. Beyond upstream, ``X-Forwarded-Host`` and
``X-Forwarded-Port`` (their right-most values, from the nearest proxy) replace the
request's ``Host`` header and the scope's ``server``, so that absolute URLs an app builds
name the host and port the client asked for.

``forwarded``: RFC 7239 ``Forwarded`` elements (all lines, in order, as one list). Each
proxy appends one, describing the request it received; the right-most element whose
``for`` is not a trusted proxy is the client's, and its ``for``, ``proto`` and ``host``
give the client address, the scheme and the host. ``X-Forwarded-*`` are then ignored.

A value that does not parse (an address that is none, an unknown scheme, a host with a
path or spaces in it) is ignored: the scope keeps what the connection gave it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from typing import Any, Final, Literal

from uvicorn._types import ASGI3Application, ASGIReceiveCallable, ASGISendCallable, Scope
from uvicorn.middleware._forwarded import (
    DEFAULT_PORTS,
    Element,
    parse_forwarded,
    parse_host,
    parse_node,
    parse_port,
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# X-Forwarded-Proto value -> whether the client's connection to the proxy was secure.
_SECURE_BY_PROTO: Final[dict[str, bool]] = {"http": False, "ws": False, "https": True, "wss": True}
_MAX_REMEMBERED: Final = 1024
ProxyHeadersMode = Literal["x-forwarded", "forwarded"]
PROXY_HEADERS_MODES: Final = ("x-forwarded", "forwarded")
_X_FORWARDED_HEADERS: Final = frozenset(
    (b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host", b"x-forwarded-port")
)


class ProxyHeadersMiddleware:
    def __init__(
        self,
        app: ASGI3Application,
        trusted_hosts: list[str] | str = "127.0.0.1",
        mode: ProxyHeadersMode = "x-forwarded",
    ) -> None:
        self.app = app
        self.trusted = _TrustedHosts(trusted_hosts, mode)

    async def __call__(
        self, scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> None:
        if scope["type"] != "lifespan":
            self.trusted.apply(scope)
        return await self.app(scope, receive, send)


def proxy_headers_app(
    app: ASGI3Application, trusted_hosts: list[str] | str, mode: ProxyHeadersMode = "x-forwarded"
) -> Callable[[Scope, ASGIReceiveCallable, ASGISendCallable], Awaitable[None]]:
    """What the server wraps apps with: ProxyHeadersMiddleware without its extra coroutine.

    The returned callable fixes the scope up and hands back the app's own awaitable, so a
    request costs no additional coroutine frame. (Interface detection has already run on
    the app by then; users wrapping apps themselves keep using ProxyHeadersMiddleware.)
    """
    trusted = _TrustedHosts(trusted_hosts, mode)

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
    def __init__(
        self, trusted_hosts: list[str] | str, mode: ProxyHeadersMode = "x-forwarded"
    ) -> None:
        if mode not in PROXY_HEADERS_MODES:
            raise ValueError(f"proxy headers mode must be one of {PROXY_HEADERS_MODES}: {mode!r}")
        if mode == "forwarded":
            self.apply = self.apply_forwarded  # type: ignore[method-assign]  # chosen once
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
        """Take scheme, client and host from the X-Forwarded-* headers of a trusted client.

        A scope without a client (a unix socket peer) is trusted only under ``*``.
        """
        client: Any = scope.get("client")
        if not (self.always or (client and client[0] in self)):
            return
        forwarded_proto = forwarded_for = forwarded_host = forwarded_port = None
        for name, value in scope["headers"]:  # type: ignore[typeddict-item]  # http/websocket
            if name not in _X_FORWARDED_HEADERS:
                continue
            if name == b"x-forwarded-for":
                # A list: several lines are one chain, in order (RFC 9110 5.3, upstream).
                forwarded_for = value if forwarded_for is None else forwarded_for + b", " + value
            elif name == b"x-forwarded-proto":
                forwarded_proto = value  # one value: the last line wins, as upstream
            elif name == b"x-forwarded-host":
                forwarded_host = value
            else:
                forwarded_port = value
        if forwarded_proto is not None:
            _set_scheme(scope, forwarded_proto.decode("latin1"))
        if forwarded_for is not None:
            forwarded_client = self.client_from(forwarded_for.decode("latin1"))
            if forwarded_client is not None:
                scope["client"] = forwarded_client  # type: ignore[typeddict-unknown-key]  # http/ws
        if forwarded_host is not None or forwarded_port is not None:
            # The nearest proxy's word: the right-most value of the last line.
            host = port = None
            if forwarded_host is not None:
                host = parse_host(forwarded_host.decode("latin1").rpartition(",")[2])
            if forwarded_port is not None:
                port = parse_port(forwarded_port.decode("latin1").rpartition(",")[2])
            _set_host(scope, host, port)

    def apply_forwarded(self, scope: Scope) -> None:
        """Take client, scheme and host from the RFC 7239 ``Forwarded`` header."""
        client: Any = scope.get("client")
        if not (self.always or (client and client[0] in self)):
            return
        lines = [value for name, value in scope["headers"] if name == b"forwarded"]  # type: ignore[typeddict-item]  # http/websocket
        if not lines:
            return
        elements = parse_forwarded(b",".join(lines).decode("latin1"))
        if not elements:
            return
        chosen = elements[0]  # every hop trusted: the left-most one is the client's
        if not self.always:
            for element in reversed(elements):
                if not self._trusted_hop(element):
                    chosen = element
                    break
        if not chosen.valid:
            return  # the client's element did not parse: nothing of it is believed
        params = chosen.params
        proto = params.get("proto")
        if proto is not None:
            _set_scheme(scope, proto)
        node = params.get("for")
        if node is not None:
            address = parse_node(node)
            if address is not None:
                scope["client"] = address  # type: ignore[typeddict-unknown-key]  # http/ws
        host = params.get("host")
        if host is not None:
            _set_host(scope, parse_host(host), None)

    def _trusted_hop(self, element: Element) -> bool:
        """Whether a ``Forwarded`` element came from a trusted proxy's client side."""
        node = element.params.get("for") if element.valid else None
        if node is None:
            return False
        if node in self:  # a literal as configured (a unix socket path), or a bare IPv4
            return True
        address = parse_node(node)  # "[2001:db8::1]:80", "192.0.2.1:8080"
        return address is not None and address[0] in self

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


def _set_scheme(scope: Scope, proto: str) -> None:
    secure = _SECURE_BY_PROTO.get(proto.strip().lower())
    if secure is None:
        return  # not a scheme this server speaks: ignored
    if scope["type"] == "websocket":
        scope["scheme"] = "wss" if secure else "ws"
    else:
        scope["scheme"] = "https" if secure else "http"  # type: ignore[typeddict-unknown-key]  # http scope


def _set_host(scope: Scope, host: tuple[str, int | None] | None, port: int | None) -> None:
    """Make the request's Host header and ``server`` name what the client asked for.

    ``host`` is the forwarded (name, port or None), ``port`` a forwarded port that
    overrides the host's; either may be None (not given, or not valid).
    """
    # A copy: the list the scope came with may be shared, or a tuple.
    headers = list(scope["headers"])  # type: ignore[typeddict-item]  # http/websocket
    index = next((i for i, (name, _) in enumerate(headers) if name == b"host"), None)
    if host is None:
        if port is None or index is None:
            return
        host = parse_host(headers[index][1].decode("latin1"))  # the port alone changes
        if host is None:
            return
    name, host_port = host
    if port is None:
        port = host_port
    default_port = DEFAULT_PORTS.get(scope.get("scheme", "http"), 80)  # type: ignore[call-overload]  # http/ws scope
    value = name if port is None or port == default_port else f"{name}:{port}"
    header = (b"host", value.encode("latin1"))
    if index is None:
        headers.append(header)
    else:
        headers[index] = header
    scope["headers"] = headers  # type: ignore[typeddict-unknown-key]  # http/websocket
    scope["server"] = (name.strip("[]"), default_port if port is None else port)  # type: ignore[typeddict-unknown-key]  # http/ws
