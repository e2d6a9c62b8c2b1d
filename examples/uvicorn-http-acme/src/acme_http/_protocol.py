"""The example protocol: the h11 implementation plus one response header."""

from __future__ import annotations

from uvicorn_http_h11 import H11Protocol


class AcmeProtocol(H11Protocol):
    encodes_head = True  # declared: the core then writes heads through encode_head below

    def encode_head(self, status: int, headers: list[tuple[bytes, bytes]]) -> bytes:
        if status >= 200:
            headers = [*headers, (b"x-served-by", b"acme")]
        return super().encode_head(status, headers)
