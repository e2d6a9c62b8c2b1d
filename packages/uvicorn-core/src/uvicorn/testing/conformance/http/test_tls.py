"""TLS for every HTTP implementation: https scheme, the ASGI tls extension, mutual TLS."""

from __future__ import annotations

import json
import signal
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from uvicorn.config import Config
from uvicorn.testing import apps
from uvicorn.testing._optional import LazyClient, require_module
from uvicorn.testing.utils import ServerProcess, run_server

if TYPE_CHECKING:
    import httpx
else:
    httpx = LazyClient("httpx")  # a test that uses it skips when it is not installed

if TYPE_CHECKING:
    import trustme
else:
    trustme = require_module("trustme")  # every test here needs certificates

pytestmark = pytest.mark.timeout(30)


class Certificates:
    """A throwaway CA, a server certificate for 127.0.0.1 and a client certificate."""

    def __init__(self, directory: Path) -> None:
        self.ca = trustme.CA()
        server = self.ca.issue_cert("127.0.0.1", "localhost")
        client = self.ca.issue_cert("client@example.org", common_name="test client")
        self.ca_file = directory / "ca.pem"
        self.cert_file = directory / "server.pem"
        self.key_file = directory / "server.key"
        self.client_file = directory / "client.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        server.cert_chain_pems[0].write_to_path(str(self.cert_file))
        server.private_key_pem.write_to_path(str(self.key_file))
        client.private_key_and_cert_chain_pem.write_to_path(str(self.client_file))

    def server_options(self) -> dict[str, Any]:
        return {"ssl_certfile": str(self.cert_file), "ssl_keyfile": str(self.key_file)}

    def client_context(self, with_certificate: bool = False) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.ca_file))
        if with_certificate:
            context.load_cert_chain(str(self.client_file))
        return context


@pytest.fixture
def certs(tmp_path: Path) -> Certificates:
    return Certificates(tmp_path)


def https_url(url: str) -> str:
    return url.replace("http://", "https://", 1)


def test_tls_request_has_https_scheme_and_tls_extension(
    http_impl: str, certs: Certificates
) -> None:
    with run_server(apps.echo_scope, http=http_impl, **certs.server_options()) as server:
        with httpx.Client(verify=certs.client_context()) as client:
            response = client.get(https_url(server.url) + "/path")
    assert response.status_code == 200
    scope = response.json()
    assert scope["scheme"] == "https"
    tls = scope["extensions"]["tls"]
    assert tls["tls_version"] == 0x0304  # TLS 1.3, what both sides negotiate by default
    assert isinstance(tls["cipher_suite"], int)
    assert tls["cipher_suite"] > 0
    assert tls["client_cert_chain"] == []
    assert tls["client_cert_name"] is None


def test_plain_http_scope_has_no_tls_extension(http_impl: str) -> None:
    with run_server(apps.echo_scope, http=http_impl) as server:
        scope = httpx.get(server.url + "/").json()
    assert scope["scheme"] == "http"
    assert "tls" not in scope.get("extensions", {})


def test_mutual_tls_refuses_client_without_certificate(http_impl: str, certs: Certificates) -> None:
    options: dict[str, Any] = {
        **certs.server_options(),
        "ssl_cert_reqs": ssl.CERT_REQUIRED,
        "ssl_ca_certs": str(certs.ca_file),
    }
    with run_server(apps.echo_scope, http=http_impl, **options) as server:
        with httpx.Client(verify=certs.client_context()) as client:
            with pytest.raises((httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError)):
                client.get(https_url(server.url) + "/")
        assert server.state.total_requests == 0
        with httpx.Client(verify=certs.client_context(with_certificate=True)) as client:
            response = client.get(https_url(server.url) + "/")
    assert response.status_code == 200
    tls = response.json()["extensions"]["tls"]
    (leaf,) = tls["client_cert_chain"][:1]
    assert leaf.startswith("-----BEGIN CERTIFICATE-----")
    assert "CN=test client" in tls["client_cert_name"]


def test_ssl_ciphers_and_version_limit_what_is_negotiated(
    http_impl: str, certs: Certificates
) -> None:
    options = {**certs.server_options(), "ssl_ciphers": "ECDHE+AESGCM"}
    context = certs.client_context()
    context.maximum_version = ssl.TLSVersion.TLSv1_2  # cipher lists only apply up to 1.2
    context.set_ciphers("ECDHE+AES256:ECDHE+AESGCM")
    with run_server(apps.echo_scope, http=http_impl, **options) as server:
        with httpx.Client(verify=context) as client:
            tls = client.get(https_url(server.url) + "/").json()["extensions"]["tls"]
    assert tls["tls_version"] == 0x0303
    assert tls["cipher_suite"] in (0xC02F, 0xC030, 0xC02B, 0xC02C)  # ECDHE AES-GCM suites


def test_ssl_context_factory_customises_the_default_context(
    http_impl: str, certs: Certificates
) -> None:
    calls: list[Config] = []

    def factory(config: Config, default: Callable[[], ssl.SSLContext]) -> ssl.SSLContext:
        calls.append(config)
        context = default()
        context.minimum_version = ssl.TLSVersion.TLSv1_3
        return context

    old_client = certs.client_context()
    old_client.maximum_version = ssl.TLSVersion.TLSv1_2
    options = {**certs.server_options(), "ssl_context_factory": factory}
    with run_server(apps.hello, http=http_impl, **options) as server:
        with httpx.Client(verify=certs.client_context()) as client:
            assert client.get(https_url(server.url) + "/").text == "Hello, world!"
        with httpx.Client(verify=old_client) as client:
            with pytest.raises(httpx.ConnectError):
                client.get(https_url(server.url) + "/")
    assert len(calls) == 1
    assert isinstance(calls[0], Config)


def test_json_bodies_over_tls_are_intact(
    http_impl: str, loop_impl: str, certs: Certificates
) -> None:
    payloads = [json.dumps({"data": letter * 200_000}).encode() for letter in "xyz"]
    options = certs.server_options()
    with run_server(apps.echo_body, http=http_impl, loop=loop_impl, **options) as server:
        with httpx.Client(verify=certs.client_context()) as client:  # one connection
            echoed = [
                client.post(https_url(server.url) + "/", content=payload).content
                for payload in payloads
            ]
    assert echoed == payloads


def test_pathsend_over_tls_sends_the_file(
    http_impl: str, loop_impl: str, certs: Certificates, tmp_path: Path
) -> None:
    """No zero-copy through TLS: the file is read and encrypted in chunks, all of it."""
    path = tmp_path / "file.bin"
    path.write_bytes(bytes(range(256)) * 12_000)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        headers = [(b"content-length", str(path.stat().st_size).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.pathsend", "path": str(path)})

    options = certs.server_options()
    with run_server(app, http=http_impl, loop=loop_impl, **options) as server:
        with httpx.Client(verify=certs.client_context()) as client:
            bodies = [client.get(https_url(server.url) + "/").content for _ in range(2)]
    assert bodies == [path.read_bytes()] * 2


def test_cli_serves_https_and_says_so(http_impl: str, certs: Certificates) -> None:
    args = ["uvicorn.testing.apps:hello", "--port", "0", "--http", http_impl]
    args += ["--ssl-certfile", str(certs.cert_file), "--ssl-keyfile", str(certs.key_file)]
    with ServerProcess(args) as process:
        port = process.wait_running()
        assert f"Uvicorn running on https://127.0.0.1:{port}" in process.output
        with httpx.Client(verify=certs.client_context()) as client:
            assert client.get(f"https://127.0.0.1:{port}/").text == "Hello, world!"
        process.signal(signal.SIGTERM)
        assert process.wait() == 0
