"""ProxyHeadersMiddleware at the ASGI level: who is trusted, and what the scope becomes.

Over-the-socket behaviour (the --proxy-headers / --forwarded-allow-ips settings) is in
test_middleware.py; these drive the middleware directly with hand-built scopes.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware, proxy_headers_app

pytestmark = pytest.mark.timeout(10)


async def record_scope(scope: Any, receive: Any, send: Any) -> None:
    scope["seen_by_app"] = True


def make_scope(
    client: Any = ("127.0.0.1", 50000),
    *,
    type_: str = "http",
    forwarded_for: str | None = None,
    forwarded_proto: str | None = None,
) -> dict[str, Any]:
    headers = [(b"host", b"example.com")]
    if forwarded_for is not None:
        headers.append((b"x-forwarded-for", forwarded_for.encode("latin1")))
    if forwarded_proto is not None:
        headers.append((b"x-forwarded-proto", forwarded_proto.encode("latin1")))
    scope: dict[str, Any] = {
        "type": type_,
        "scheme": "ws" if type_ == "websocket" else "http",
        "path": "/",
        "headers": headers,
    }
    if client != "absent":
        scope["client"] = client
    return scope


def call(app: Any, scope: dict[str, Any], receive: Any = None, send: Any = None) -> None:
    """Run one ASGI call; the scopes here are hand-built, so the app is typed loosely."""

    async def main() -> None:
        await app(scope, receive, send)

    asyncio.run(main())


def through(trusted_hosts: list[str] | str, scope: dict[str, Any]) -> dict[str, Any]:
    call(ProxyHeadersMiddleware(record_scope, trusted_hosts=trusted_hosts), scope)
    assert scope["seen_by_app"]
    return scope


def test_default_trusts_only_ipv4_loopback() -> None:
    trusted, untrusted = (
        make_scope(forwarded_for="1.2.3.4"),
        make_scope(("::1", 1), forwarded_for="1.2.3.4"),
    )
    for scope in (trusted, untrusted):
        call(ProxyHeadersMiddleware(record_scope), scope)
    assert trusted["client"] == ("1.2.3.4", 0)
    assert untrusted["client"] == ("::1", 1)


def test_trusted_client_takes_client_and_scheme_from_headers() -> None:
    scope = through("127.0.0.1", make_scope(forwarded_for="203.0.113.9", forwarded_proto="https"))
    assert scope["client"] == ("203.0.113.9", 0)
    assert scope["scheme"] == "https"


def test_untrusted_client_headers_are_ignored() -> None:
    scope = through(
        "127.0.0.1",
        make_scope(("198.51.100.1", 4000), forwarded_for="1.2.3.4", forwarded_proto="https"),
    )
    assert scope["client"] == ("198.51.100.1", 4000)
    assert scope["scheme"] == "http"


def test_trusted_client_without_headers_keeps_its_scope() -> None:
    scope = through("127.0.0.1", make_scope())
    assert scope["client"] == ("127.0.0.1", 50000)
    assert scope["scheme"] == "http"


@pytest.mark.parametrize(
    ("trusted_hosts", "chain", "client"),
    [
        ("127.0.0.1", "1.1.1.1, 2.2.2.2, 3.3.3.3", "3.3.3.3"),
        ("127.0.0.1, 3.3.3.3", "1.1.1.1, 2.2.2.2, 3.3.3.3", "2.2.2.2"),
        ("127.0.0.1,2.2.2.2,3.3.3.3", "1.1.1.1,2.2.2.2,3.3.3.3", "1.1.1.1"),
        (["127.0.0.1", "2.2.2.2", "3.3.3.3"], "2.2.2.2, 3.3.3.3", "2.2.2.2"),
    ],
)
def test_forwarded_for_picks_rightmost_untrusted_hop(
    trusted_hosts: list[str] | str, chain: str, client: str
) -> None:
    scope = through(trusted_hosts, make_scope(forwarded_for=chain))
    assert scope["client"] == (client, 0)


def test_forwarded_for_hop_inside_trusted_cidr_is_skipped() -> None:
    scope = through(
        "127.0.0.1, 10.0.0.0/8",
        make_scope(forwarded_for="192.0.2.44, 10.20.30.40, 10.0.0.1"),
    )
    assert scope["client"] == ("192.0.2.44", 0)


def test_client_inside_trusted_cidr_is_trusted() -> None:
    scope = through("172.16.0.0/12", make_scope(("172.20.1.2", 80), forwarded_for="192.0.2.1"))
    assert scope["client"] == ("192.0.2.1", 0)


def test_client_outside_trusted_cidr_is_not_trusted() -> None:
    scope = through("172.16.0.0/12", make_scope(("172.32.0.1", 80), forwarded_for="192.0.2.1"))
    assert scope["client"] == ("172.32.0.1", 80)


def test_cidr_with_host_bits_set_is_not_a_network() -> None:
    scope = through("10.0.0.1/8", make_scope(("10.1.1.1", 80), forwarded_for="192.0.2.1"))
    assert scope["client"] == ("10.1.1.1", 80)


def test_ipv6_client_and_forwarded_address_with_ipv6_trust() -> None:
    scope = through("::1", make_scope(("::1", 8000), forwarded_for="2001:db8::17"))
    assert scope["client"] == ("2001:db8::17", 0)


def test_ipv6_cidr_hops_are_skipped() -> None:
    scope = through(
        "::1, 2001:db8::/32",
        make_scope(("::1", 8000), forwarded_for="2001:db9::1, 2001:db8:ffff::2"),
    )
    assert scope["client"] == ("2001:db9::1", 0)


def test_ipv4_trust_does_not_cover_ipv4_mapped_ipv6_client() -> None:
    scope = through("127.0.0.1", make_scope(("::ffff:127.0.0.1", 1), forwarded_for="1.2.3.4"))
    assert scope["client"] == ("::ffff:127.0.0.1", 1)


def test_star_trusts_any_client_and_takes_leftmost_hop() -> None:
    scope = through(
        "*",
        make_scope(("198.51.100.7", 9), forwarded_for="1.1.1.1, 2.2.2.2", forwarded_proto="https"),
    )
    assert scope["client"] == ("1.1.1.1", 0)
    assert scope["scheme"] == "https"


def test_star_in_a_list_trusts_everyone() -> None:
    scope = through(["10.0.0.1", "*"], make_scope(("8.8.8.8", 1), forwarded_for="9.9.9.9"))
    assert scope["client"] == ("9.9.9.9", 0)


def test_star_applies_headers_when_scope_has_no_client() -> None:
    scope = through("*", make_scope(None, forwarded_for="1.2.3.4"))
    missing = through("*", make_scope("absent", forwarded_for="5.6.7.8"))
    assert scope["client"] == ("1.2.3.4", 0)
    assert missing["client"] == ("5.6.7.8", 0)


def test_scope_without_client_is_untrusted_unless_star() -> None:
    scope = through(["127.0.0.1", ""], make_scope(None, forwarded_for="1.2.3.4"))
    assert scope["client"] is None


def test_unix_socket_literal_is_trusted_by_exact_match() -> None:
    trusted = through(
        "/run/app.sock",
        make_scope(("/run/app.sock", 0), forwarded_for="1.2.3.4", forwarded_proto="https"),
    )
    other = through("/run/app.sock", make_scope(("/run/other.sock", 0), forwarded_for="1.2.3.4"))
    assert trusted["client"] == ("1.2.3.4", 0)
    assert trusted["scheme"] == "https"
    assert other["client"] == ("/run/other.sock", 0)


def test_literal_hop_in_chain_is_skipped_when_trusted() -> None:
    scope = through("127.0.0.1, proxy-a", make_scope(forwarded_for="1.2.3.4, proxy-a"))
    assert scope["client"] == ("1.2.3.4", 0)


def test_forwarded_for_keeps_the_port_a_proxy_gave() -> None:
    ipv4 = through("127.0.0.1", make_scope(forwarded_for="1.2.3.4:5678"))
    ipv6 = through("127.0.0.1", make_scope(forwarded_for="[2001:db8::1]:443"))
    bare_ipv6 = through("127.0.0.1", make_scope(forwarded_for="2001:db8::1"))
    assert ipv4["client"] == ("1.2.3.4", 5678)
    assert ipv6["client"] == ("2001:db8::1", 443)
    assert bare_ipv6["client"] == ("2001:db8::1", 0)


def test_forwarded_for_trust_is_checked_without_the_port() -> None:
    scope = through("127.0.0.1, 10.0.0.1", make_scope(forwarded_for="1.1.1.1:1, 10.0.0.1:80"))
    assert scope["client"] == ("1.1.1.1", 1)


def test_forwarded_for_non_numeric_port_is_part_of_the_host() -> None:
    scope = through("127.0.0.1", make_scope(forwarded_for="1.2.3.4:http"))
    assert scope["client"] == ("1.2.3.4:http", 0)


@pytest.mark.parametrize("chain", ["", " , ", "1.2.3.4,,127.0.0.1"])
def test_forwarded_for_without_usable_address_keeps_client(chain: str) -> None:
    scope = through("127.0.0.1", make_scope(forwarded_for=chain))
    assert scope["client"] == ("127.0.0.1", 50000)


def with_forwarded_for_lines(*values: bytes) -> dict[str, Any]:
    scope = make_scope()
    scope["headers"] += [(b"x-forwarded-for", value) for value in values]
    return scope


def test_forwarded_for_header_lines_are_combined_in_order() -> None:
    # As if joined with ", " (RFC 9110 field lines, and upstream): a trusted proxy that
    # added its own line does not hide the client in the line before it.
    scope = with_forwarded_for_lines(b"1.1.1.1", b"10.0.0.5")
    assert through("127.0.0.1,10.0.0.0/8", scope)["client"] == ("1.1.1.1", 0)
    scope = with_forwarded_for_lines(b"1.1.1.1, 2.2.2.2", b"3.3.3.3")
    assert through("127.0.0.1", scope)["client"] == ("3.3.3.3", 0)
    scope = with_forwarded_for_lines(b"1.1.1.1", b"2.2.2.2")
    assert through("*", scope)["client"] == ("1.1.1.1", 0)  # all trusted: the left-most


def test_forwarded_for_header_lines_are_combined_by_the_server_wrapper() -> None:
    scope = with_forwarded_for_lines(b"1.1.1.1", b"10.0.0.5")
    call(proxy_headers_app(record_scope, "127.0.0.1,10.0.0.0/8"), scope)
    assert scope["client"] == ("1.1.1.1", 0)


def test_last_forwarded_proto_header_is_used() -> None:
    # Upstream reads only the last X-Forwarded-Proto line: the scheme is one value.
    scope = make_scope()
    scope["headers"] += [(b"x-forwarded-proto", b"https"), (b"x-forwarded-proto", b"http")]
    assert through("127.0.0.1", scope)["scheme"] == "http"


@pytest.mark.parametrize(
    ("proto", "scheme"),
    [("https", "https"), ("http", "http"), (" https ", "https"), ("HTTPS", "https")],
)
def test_forwarded_proto_sets_http_scheme(proto: str, scheme: str) -> None:
    start = make_scope(forwarded_proto=proto)
    start["scheme"] = "https" if scheme == "http" else "http"
    assert through("127.0.0.1", start)["scheme"] == scheme


@pytest.mark.parametrize(("proto", "scheme"), [("wss", "https"), ("ws", "http")])
def test_forwarded_websocket_proto_on_http_scope_maps_to_http_scheme(
    proto: str, scheme: str
) -> None:
    assert through("127.0.0.1", make_scope(forwarded_proto=proto))["scheme"] == scheme


@pytest.mark.parametrize(
    ("proto", "scheme"),
    [("https", "wss"), ("wss", "wss"), ("http", "ws"), ("ws", "ws")],
)
def test_forwarded_proto_maps_to_websocket_scheme(proto: str, scheme: str) -> None:
    start = make_scope(type_="websocket", forwarded_proto=proto)
    start["scheme"] = "ws" if scheme == "wss" else "wss"
    assert through("127.0.0.1", start)["scheme"] == scheme


@pytest.mark.parametrize("proto", ["ftp", "", "https, http"])
def test_unknown_forwarded_proto_is_ignored(proto: str) -> None:
    scope = make_scope(forwarded_proto=proto)
    scope["scheme"] = "https"
    assert through("127.0.0.1", scope)["scheme"] == "https"


def test_websocket_scope_takes_forwarded_client() -> None:
    scope = through("127.0.0.1", make_scope(type_="websocket", forwarded_for="1.2.3.4"))
    assert scope["client"] == ("1.2.3.4", 0)


def test_lifespan_scope_passes_through_untouched() -> None:
    scope: dict[str, Any] = {"type": "lifespan", "asgi": {"version": "3.0"}}
    assert through("*", scope) == {
        "type": "lifespan",
        "asgi": {"version": "3.0"},
        "seen_by_app": True,
    }


def test_receive_and_send_reach_the_app_unchanged() -> None:
    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.extend([receive, send])

    async def receive() -> Any:
        raise AssertionError("not called")

    async def send(message: Any) -> None:
        raise AssertionError("not called")

    call(ProxyHeadersMiddleware(app), make_scope(), receive, send)
    assert seen == [receive, send]


def test_proxy_headers_app_matches_the_middleware() -> None:
    wrapped = proxy_headers_app(record_scope, trusted_hosts="127.0.0.1, 10.0.0.0/8")
    scope = make_scope(forwarded_for="1.2.3.4, 10.1.1.1", forwarded_proto="https")
    call(wrapped, scope)
    assert scope["seen_by_app"]
    assert scope["client"] == ("1.2.3.4", 0)
    assert scope["scheme"] == "https"


# -- X-Forwarded-Host / X-Forwarded-Port -------------------------------------------------


def with_headers(*extra: tuple[str, str], client: Any = ("127.0.0.1", 50000)) -> dict[str, Any]:
    scope = make_scope(client)
    scope["headers"] += [(name.encode(), value.encode("latin1")) for name, value in extra]
    scope["server"] = ("127.0.0.1", 8000)
    return scope


def host_and_server(scope: dict[str, Any]) -> tuple[list[bytes], Any]:
    return [value for name, value in scope["headers"] if name == b"host"], scope["server"]


@pytest.mark.parametrize(
    ("extra", "host", "server"),
    [
        ([("x-forwarded-host", "app.example.com")], b"app.example.com", ("app.example.com", 80)),
        (
            [("x-forwarded-host", "app.example.com:8080")],
            b"app.example.com:8080",
            ("app.example.com", 8080),
        ),
        (
            [("x-forwarded-proto", "https"), ("x-forwarded-host", "app.example.com:443")],
            b"app.example.com",
            ("app.example.com", 443),
        ),
        (  # the port alone: the Host header keeps its name
            [("x-forwarded-proto", "https"), ("x-forwarded-port", "8443")],
            b"example.com:8443",
            ("example.com", 8443),
        ),
        (  # the port overrides the one in the forwarded host
            [("x-forwarded-host", "app.example.com:80"), ("x-forwarded-port", "8080")],
            b"app.example.com:8080",
            ("app.example.com", 8080),
        ),
        (  # the nearest proxy's value: the right-most
            [("x-forwarded-host", "evil.example, app.example.com")],
            b"app.example.com",
            ("app.example.com", 80),
        ),
        (
            [("x-forwarded-host", "[2001:db8::1]:8080")],
            b"[2001:db8::1]:8080",
            ("2001:db8::1", 8080),
        ),
    ],
)
def test_forwarded_host_and_port_name_the_origin(
    extra: list[tuple[str, str]], host: bytes, server: Any
) -> None:
    scope = through("127.0.0.1", with_headers(*extra))
    assert host_and_server(scope) == ([host], server)


@pytest.mark.parametrize(
    "extra",
    [
        [("x-forwarded-host", "app.example.com/evil")],
        [("x-forwarded-host", "app.example.com evil")],
        [("x-forwarded-host", "user@app.example.com")],
        [("x-forwarded-host", "app.example.com:99999")],
        [("x-forwarded-host", "[not-ipv6]")],
        [("x-forwarded-host", "")],
        [("x-forwarded-host", "app.example.com\r\nx-injected: 1")],
        [("x-forwarded-port", "abc")],
        [("x-forwarded-port", "0")],
        [("x-forwarded-port", "70000")],
        [("x-forwarded-port", "+80")],
    ],
)
def test_malformed_forwarded_host_or_port_is_ignored(extra: list[tuple[str, str]]) -> None:
    scope = through("127.0.0.1", with_headers(*extra))
    assert host_and_server(scope) == ([b"example.com"], ("127.0.0.1", 8000))


def test_untrusted_client_cannot_set_the_host() -> None:
    extra = [("x-forwarded-host", "evil.example"), ("x-forwarded-port", "1")]
    scope = through("127.0.0.1", with_headers(*extra, client=("198.51.100.1", 1234)))
    assert host_and_server(scope) == ([b"example.com"], ("127.0.0.1", 8000))


def test_forwarded_host_is_added_when_the_request_had_none() -> None:
    scope = with_headers(("x-forwarded-host", "app.example.com"))
    scope["headers"] = [header for header in scope["headers"] if header[0] != b"host"]
    through("127.0.0.1", scope)
    assert host_and_server(scope) == ([b"app.example.com"], ("app.example.com", 80))


def test_scope_headers_given_as_a_tuple_are_replaced_not_mutated() -> None:
    scope = with_headers(("x-forwarded-host", "app.example.com"))
    original = tuple(scope["headers"])
    scope["headers"] = original
    through("127.0.0.1", scope)
    assert (b"host", b"app.example.com") in scope["headers"]
    assert (b"host", b"example.com") in original


def test_x_forwarded_mode_ignores_the_forwarded_header() -> None:
    scope = through("127.0.0.1", with_headers(("forwarded", "for=192.0.2.9;proto=https")))
    assert (scope["client"], scope["scheme"]) == (("127.0.0.1", 50000), "http")


# -- RFC 7239 Forwarded --------------------------------------------------------------------


def forwarded(
    *lines: str, trusted: str = "127.0.0.1", client: Any = ("127.0.0.1", 50000), **extra: str
) -> dict[str, Any]:
    scope = with_headers(
        *[("forwarded", line) for line in lines],
        *[(name.replace("_", "-"), value) for name, value in extra.items()],
        client=client,
    )
    call(ProxyHeadersMiddleware(record_scope, trusted_hosts=trusted, mode="forwarded"), scope)
    return scope


def origin(scope: dict[str, Any]) -> tuple[Any, str, list[bytes]]:
    return scope["client"], scope["scheme"], host_and_server(scope)[0]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # RFC 7239 section 4's examples
        (['for="_gazonk"'], (("127.0.0.1", 50000), "http", [b"example.com"])),
        (
            ['For="[2001:db8:cafe::17]:4711"'],
            (("2001:db8:cafe::17", 4711), "http", [b"example.com"]),
        ),
        (
            ["for=192.0.2.60;proto=http;by=203.0.113.43"],
            (("192.0.2.60", 0), "http", [b"example.com"]),
        ),
        (["for=192.0.2.43, for=198.51.100.17"], (("198.51.100.17", 0), "http", [b"example.com"])),
        (
            ["for=192.0.2.43;proto=https;host=app.example.com"],
            (("192.0.2.43", 0), "https", [b"app.example.com"]),
        ),
        # quoted values, case-insensitive names, spaces around elements
        (
            ['  FOR="192.0.2.43:8080" ; Proto=HTTPS ; Host="app.example.com:8443" '],
            (("192.0.2.43", 8080), "https", [b"app.example.com:8443"]),
        ),
        # several lines are one list, in order
        (
            ["for=192.0.2.43;proto=https", "for=127.0.0.1;proto=http"],
            (("192.0.2.43", 0), "https", [b"example.com"]),
        ),
    ],
)
def test_forwarded_elements_name_the_client_scheme_and_host(
    lines: list[str], expected: Any
) -> None:
    assert origin(forwarded(*lines)) == expected


def test_forwarded_skips_trusted_hops_and_uses_the_clients_element() -> None:
    scope = forwarded(
        "for=198.51.100.9;proto=http;host=spoofed.example",  # the client's own claim
        "for=192.0.2.43;proto=https;host=app.example.com",
        'for="[2001:db8::5]";proto=http;host=internal',
        trusted="127.0.0.1, 2001:db8::/32",
    )
    assert origin(scope) == (("192.0.2.43", 0), "https", [b"app.example.com"])


def test_forwarded_with_star_takes_the_leftmost_element() -> None:
    scope = forwarded("for=192.0.2.1;proto=https", "for=192.0.2.2", trusted="*")
    assert origin(scope) == (("192.0.2.1", 0), "https", [b"example.com"])


@pytest.mark.parametrize(
    "line",
    [
        'for="192.0.2.43, 198.51.100.17"',  # a comma inside quotes is not a separator
        "for=192.0.2.43;;proto=https",
        "for=192.0.2.43 proto=https",
        "for=192.0.2.43;for=198.51.100.17",  # a parameter twice
        "for=2001:db8::1",  # an IPv6 node must be quoted and bracketed
        'for="192.0.2.43:99999"',
        "for=unknown;proto=gopher;host=a/b",
        'for="192.0.2.43\r\nx: y"',
    ],
)
def test_malformed_forwarded_values_are_not_believed(line: str) -> None:
    scope = forwarded(line)
    assert origin(scope) == (("127.0.0.1", 50000), "http", [b"example.com"])


def test_forwarded_mode_ignores_x_forwarded_headers() -> None:
    scope = forwarded(x_forwarded_for="192.0.2.9", x_forwarded_proto="https")
    assert origin(scope) == (("127.0.0.1", 50000), "http", [b"example.com"])


def test_forwarded_from_an_untrusted_client_is_ignored() -> None:
    scope = forwarded("for=192.0.2.43;proto=https", client=("198.51.100.1", 1234))
    assert origin(scope) == (("198.51.100.1", 1234), "http", [b"example.com"])


def test_forwarded_on_a_websocket_scope_sets_wss() -> None:
    scope = make_scope(type_="websocket")
    scope["headers"].append((b"forwarded", b"for=192.0.2.43;proto=https"))
    call(ProxyHeadersMiddleware(record_scope, mode="forwarded"), scope)
    assert (scope["client"], scope["scheme"]) == (("192.0.2.43", 0), "wss")


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="forwarded"):
        ProxyHeadersMiddleware(record_scope, mode="rfc7239")  # type: ignore[arg-type]
