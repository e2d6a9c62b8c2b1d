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
