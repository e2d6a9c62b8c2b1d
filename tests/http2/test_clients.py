"""Real HTTP/2 clients against the server: httpx (on h2) over TLS, curl (on nghttp2) over
TLS and with prior knowledge, and a Starlette app served over HTTP/2."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from tests.http2.test_dispatch import Certificates
from uvicorn.testing.conformance.http2 import apps
from uvicorn.testing.utils import run_server

pytestmark = pytest.mark.timeout(30)


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return Certificates(tmp_path_factory.mktemp("certs"))


def https(url: str) -> str:
    return url.replace("http://", "https://", 1)


def test_httpx_negotiates_http2_over_tls(http2_impl: str, certs: Certificates) -> None:
    with run_server(apps.describe, http2=http2_impl, **certs.options()) as server:
        context = certs.client_context(["h2", "http/1.1"])
        with httpx.Client(http2=True, verify=context) as client:
            url = https(server.url)
            responses = [client.post(f"{url}/{i}", content=b"x" * i) for i in range(5)]
        with httpx.Client(verify=certs.client_context(["http/1.1"])) as client:
            http11 = client.get(https(server.url) + "/one")
    assert {response.http_version for response in responses} == {"HTTP/2"}
    assert [json.loads(response.text)["length"] for response in responses] == list(range(5))
    assert json.loads(responses[0].text)["tls"] is True
    assert http11.http_version == "HTTP/1.1"
    assert json.loads(http11.text)["http_version"] == "1.1"


curl = shutil.which("curl")
needs_curl = pytest.mark.skipif(curl is None, reason="curl is not installed")


def curl_supports_http2() -> bool:
    if curl is None:
        return False
    output = subprocess.run([curl, "-V"], capture_output=True, text=True, check=False).stdout
    return "HTTP2" in output


needs_curl_http2 = pytest.mark.skipif(not curl_supports_http2(), reason="curl without HTTP/2")


@needs_curl_http2
def test_curl_with_prior_knowledge(http2_impl: str) -> None:
    assert curl is not None
    with run_server(apps.describe, http2=http2_impl) as server:
        result = subprocess.run(
            [curl, "-sS", "--http2-prior-knowledge", "-d", "hello", server.url + "/curl"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert (seen["http_version"], seen["method"], seen["length"]) == ("2", "POST", 5)


@needs_curl_http2
def test_curl_http2_over_tls(http2_impl: str, certs: Certificates) -> None:
    assert curl is not None
    with run_server(apps.describe, http2=http2_impl, **certs.options()) as server:
        result = subprocess.run(
            [
                curl,
                "-sS",
                "--http2",
                "--cacert",
                str(certs.ca_file),
                https(server.url) + "/tls",
                "-w",
                "%{http_version}",
            ],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    body, _, version = result.stdout.rpartition("}")
    assert version == "2"
    assert json.loads(body + "}")["scheme"] == "https"


def starlette_app() -> Starlette:
    async def echo(request: Request) -> JSONResponse:
        body = await request.body()
        return JSONResponse(
            {
                "version": request.scope["http_version"],
                "host": request.url.hostname,
                "length": len(body),
            }
        )

    async def numbers(request: Request) -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for number in range(1000):
                yield f"{number}\n".encode() * 100

        return StreamingResponse(chunks(), media_type="text/plain")

    return Starlette(routes=[Route("/echo", echo, methods=["POST"]), Route("/numbers", numbers)])


def test_starlette_app_over_http2(http2_impl: str, certs: Certificates, tmp_path: Path) -> None:
    with run_server(starlette_app(), http2=http2_impl, **certs.options()) as server:
        with httpx.Client(http2=True, verify=certs.client_context(["h2"])) as client:
            echoed = client.post(https(server.url) + "/echo", content=b"z" * 100_000)
            streamed = client.get(https(server.url) + "/numbers")
    assert echoed.http_version == "HTTP/2"
    assert echoed.json() == {"version": "2", "host": "127.0.0.1", "length": 100_000}
    assert streamed.text == "".join(f"{number}\n" * 100 for number in range(1000))


NODE_CLIENT = """
const http2 = require("node:http2");
const [url, ca] = process.argv.slice(1);
const session = http2.connect(url, ca ? { ca: require("node:fs").readFileSync(ca) } : {});
const paths = Array.from({ length: 20 }, (_, i) => "/node/" + i);
Promise.all(paths.map((path) => new Promise((resolve, reject) => {
  const request = session.request({ ":path": path, ":method": "POST" });
  let body = "";
  request.setEncoding("utf8");
  request.on("data", (chunk) => { body += chunk; });
  request.on("end", () => resolve(JSON.parse(body)));
  request.on("error", reject);
  request.end("x".repeat(100000));
}))).then((answers) => {
  console.log(JSON.stringify(answers.map((a) => [a.path, a.http_version, a.length])));
  session.close();
}, (error) => { console.error(error); process.exit(1); });
"""

node = shutil.which("node")


@pytest.mark.skipif(node is None, reason="node is not installed")
@pytest.mark.parametrize("tls", [False, True], ids=["prior-knowledge", "tls"])
def test_node_http2_client_multiplexes_uploads(
    http2_impl: str, certs: Certificates, tls: bool
) -> None:
    assert node is not None
    options: dict[str, Any] = certs.options() if tls else {}
    with run_server(apps.describe, http2=http2_impl, **options) as server:
        url = https(server.url) if tls else server.url
        command = [node, "-e", NODE_CLIENT, url, str(certs.ca_file) if tls else ""]
        result = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False)
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout)
    assert answers == [[f"/node/{i}", "2", 100000] for i in range(20)]


BROWSER_PAGE = b"""<!doctype html><html><body><p id=out>loading</p><script>
fetch('/stream').then((r) => r.text()).then((t) => {
  document.getElementById('out').textContent = 'streamed ' + t.length;
});
</script></body></html>"""

chromium = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(chromium is None, reason="chromium is not installed")
def test_headless_chromium_loads_a_page_and_a_stream_over_http2(
    http2_impl: str, certs: Certificates
) -> None:
    versions: list[tuple[str, str]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        versions.append((scope["path"], scope["http_version"]))
        if scope["path"] == "/stream":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            for _ in range(100):  # 1 MB, many times the browser's first window
                await send({"type": "http.response.body", "body": b"x" * 10_000, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
            return
        html = [(b"content-type", b"text/html")]
        await send({"type": "http.response.start", "status": 200, "headers": html})
        await send({"type": "http.response.body", "body": BROWSER_PAGE})

    assert chromium is not None
    with run_server(app, http2=http2_impl, **certs.options()) as server:
        command = [
            chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
            "--ignore-certificate-errors", "--virtual-time-budget=5000", "--dump-dom",
            https(server.url) + "/",
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    assert "streamed 1000000" in result.stdout, result.stderr[-2000:]
    assert ("/", "2") in versions
    assert ("/stream", "2") in versions
    assert {version for _, version in versions} == {"2"}
