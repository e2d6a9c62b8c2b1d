"""The core's choice per connection under ``--http2``: prior knowledge or HTTP/1.1 on one
cleartext port, ALPN over TLS, and a clear exit when no HTTP/2 plugin is installed.

The cleartext tests run once per HTTP/1.1 implementation: the other connections go to it
with every byte the core read while deciding.
"""

from __future__ import annotations

import hashlib
import json
import socket
import ssl
from pathlib import Path
from typing import Any

import pytest
import trustme

from tests.plugin_fixtures import registry_with
from uvicorn import Implementation, hookimpl
from uvicorn._registry import format_plugin_listing
from uvicorn.config import Config
from uvicorn.testing.conformance.http2 import apps
from uvicorn.testing.h2client import H2Client
from uvicorn.testing.utils import raw_request, read_response, run_server
from uvicorn_http_h2 import H2Protocol

pytestmark = pytest.mark.timeout(30)

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
HTTP11_REQUEST = b"POST /one HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"


def test_cleartext_port_serves_http11_and_prior_knowledge(http2_impl: str, http_impl: str) -> None:
    with run_server(apps.describe, http=http_impl, http2=http2_impl) as server:
        second_request = b"GET /two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        http11 = raw_request(server.port, HTTP11_REQUEST + second_request)
        with H2Client(server.port) as client:
            http2 = json.loads(client.request("/three").body)
    assert http11.count(b"HTTP/1.1 200 OK") == 2
    assert b'"path": "/one"' in http11
    assert b'"length": 3' in http11
    assert b'"path": "/two"' in http11
    assert http2["http_version"] == "2"


def test_first_reads_shorter_than_the_preface_are_kept_whole(
    http2_impl: str, http_impl: str
) -> None:
    """The core decides on the first byte that differs from the preface, or on the whole
    preface; bytes read before the decision reach the chosen protocol."""
    with run_server(apps.describe, http=http_impl, http2=http2_impl) as server:
        # "P" and "PO" are prefixes of the preface too: an HTTP/1.1 POST still gets through.
        closing = HTTP11_REQUEST.replace(b"Host: x\r\n", b"Host: x\r\nConnection: close\r\n")
        http11 = raw_request(server.port, [b"P", b"O", closing[2:]])
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(b"GE")
            sock.sendall(b"T /split HTTP/1.1\r\nHost: x\r\n\r\n")
            _, _, body = read_response(sock)
    assert b"HTTP/1.1 200" in http11
    assert b'"length": 3' in http11
    assert json.loads(body)["path"] == "/split"


def test_preface_split_over_writes_is_http2(http2_impl: str) -> None:
    with run_server(apps.describe, http2=http2_impl) as server:
        client = H2Client(server.port, split_preface=True)
        with client:
            assert json.loads(client.request("/split").body)["http_version"] == "2"


def test_without_http2_the_preface_is_a_bad_http11_request() -> None:
    with run_server(apps.describe) as server:
        answer = raw_request(server.port, PREFACE)
    assert answer.startswith((b"HTTP/1.1 400", b"HTTP/1.1 505"))


class Certificates:
    def __init__(self, directory: Path) -> None:
        self.ca = trustme.CA()
        server = self.ca.issue_cert("127.0.0.1")
        self.ca_file = directory / "ca.pem"
        self.cert_file = directory / "server.pem"
        self.key_file = directory / "server.key"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        server.cert_chain_pems[0].write_to_path(str(self.cert_file))
        server.private_key_pem.write_to_path(str(self.key_file))

    def options(self) -> dict[str, Any]:
        return {"ssl_certfile": str(self.cert_file), "ssl_keyfile": str(self.key_file)}

    def client_context(self, alpn: list[str]) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.ca_file))
        context.set_alpn_protocols(alpn)
        return context


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return Certificates(tmp_path_factory.mktemp("certs"))


@pytest.mark.parametrize(
    ("offered", "expected"),
    [(["h2", "http/1.1"], "h2"), (["http/1.1"], "http/1.1"), (["h2"], "h2")],
)
def test_alpn_gives_each_tls_connection_the_protocol_the_client_picked(
    http2_impl: str, certs: Certificates, offered: list[str], expected: str
) -> None:
    with run_server(apps.describe, http2=http2_impl, **certs.options()) as server:
        context = certs.client_context(offered)
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
                chosen = sock.selected_alpn_protocol()
                if chosen == "http/1.1":
                    sock.sendall(b"GET /tls HTTP/1.1\r\nHost: x\r\n\r\n")
                    _, _, body = read_response(sock)
                    seen = json.loads(body)
        if chosen == "h2":
            with H2Client(server.port, tls=certs.client_context(offered)) as client:
                seen = json.loads(client.request("/tls").body)
    assert chosen == expected
    assert seen["http_version"] == ("2" if expected == "h2" else "1.1")
    assert seen["scheme"] == "https"
    assert seen["tls"] is True


def test_tls_without_http2_offers_no_h2(certs: Certificates) -> None:
    with run_server(apps.describe, **certs.options()) as server:
        context = certs.client_context(["h2", "http/1.1"])
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
                assert sock.selected_alpn_protocol() is None


def test_http2_without_a_plugin_exits_3_naming_the_package(
    caplog: pytest.LogCaptureFixture,
) -> None:
    config = Config("tests.apps:hello", log_config=None, http2=True)
    with registry_with(), pytest.raises(SystemExit) as info:  # the core's built-ins only
        config.load()
    assert info.value.code == 3
    [message] = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert "--http2" in message
    assert "uvicorn-http-h2" in message
    assert "pip install" in message


class ThirdPartyMultiplexed:
    """A distribution of its own providing a multiplexed protocol (here the same class)."""

    @hookimpl
    def uvicorn_multiplexed_protocols(self) -> list[Implementation]:
        return [
            Implementation(
                name="acme2",
                target="uvicorn_http_h2._protocol:H2Protocol",
                priority=50,
                summary="HTTP/2 from a third party",
            )
        ]


def test_third_party_multiplexed_protocol_is_listed_and_chosen() -> None:
    with registry_with(ThirdPartyMultiplexed(), entry_points=True) as registry:
        listing = format_plugin_listing(registry)
        config = Config(apps.describe, log_config=None, http2=True)  # the best installed
        config.load()
    row = next(line.split() for line in listing.splitlines() if " acme2 " in line)
    assert row[:3] == ["http2", "acme2", "test-dist"]
    assert row[4:] == ["available", "(auto)"]
    assert "h2" in [line.split()[1] for line in listing.splitlines() if line.startswith("http2")]
    assert config.multiplexed_protocol_class is H2Protocol


@pytest.mark.parametrize("pieces", [1, 3], ids=["one-read", "body-over-reads"])
def test_upgrade_h2c_request_is_served_as_http11_with_its_body(
    http2_impl: str, http_impl: str, pieces: int
) -> None:
    """Java's HttpClient and Spring's RestClient ask for ``Upgrade: h2c`` by default: the
    request is answered over HTTP/1.1, and its body reaches the app whole (llhttp skips
    the body of an upgrade request: the core reads it; upstream loses it)."""
    upgrade = (
        b"POST /upgrade HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
        b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n"
        b"Content-Length: 11\r\n\r\nhello world"
    )
    data = upgrade + b"GET /next HTTP/1.1\r\nHost: x\r\n\r\n"  # pipelined behind it
    cut = len(upgrade) - 7
    writes = [data] if pieces == 1 else [data[:cut], data[cut : cut + 4], data[cut + 4 :]]
    with run_server(apps.describe, http=http_impl, http2=http2_impl) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            for piece in writes:
                sock.sendall(piece)
            status, _, body = read_response(sock)
            _, _, following = read_response(sock)
    assert status.startswith(b"HTTP/1.1 200")
    seen = json.loads(body)
    assert (seen["http_version"], seen["length"]) == ("1.1", 11)
    assert seen["sha256"] == hashlib.sha256(b"hello world").hexdigest()
    assert json.loads(following)["path"] == "/next"


def test_chunked_body_on_a_declined_upgrade_is_never_served_without_it(
    http2_impl: str, http_impl: str
) -> None:
    """h11 reads the body of an upgrade request; llhttp skips it, and the core does not
    de-chunk: refused with 501 there, rather than served with the body missing."""
    upgrade = (
        b"POST /upgrade HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
    )
    with run_server(apps.describe, http=http_impl, http2=http2_impl) as server:
        closing = b"GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        answer = raw_request(server.port, upgrade + closing)
    if http_impl == "httptools":
        assert answer.startswith(b"HTTP/1.1 501")
    else:
        assert answer.startswith(b"HTTP/1.1 200")
        assert b'"length": 5' in answer


def test_a_connection_that_says_nothing_is_closed_at_the_head_timeout(http2_impl: str) -> None:
    """While the core waits to see which protocol a cleartext client speaks, the request
    head timeout applies, as it does to an HTTP/1.1 connection."""
    with run_server(apps.describe, http2=http2_impl, timeout_request_head=1) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(PREFACE[:5])  # a prefix of the preface: still undecided
            assert sock.recv(100) == b""  # closed by the server, not by the 5 s timeout


def test_http2_names_the_implementation_to_use() -> None:
    """``Config(http2=NAME)`` picks one implementation, as ``http=NAME`` does; the
    ``--http2`` flag (True) takes the best installed."""
    with registry_with(ThirdPartyMultiplexed(), entry_points=True):
        chosen = Config(apps.describe, log_config=None, http2="h2")
        chosen.load()
        unknown = Config(apps.describe, log_config=None, http2="nope")
        with pytest.raises(SystemExit) as info:
            unknown.load()
    assert chosen.multiplexed_protocol_class is H2Protocol
    assert info.value.code == 3
