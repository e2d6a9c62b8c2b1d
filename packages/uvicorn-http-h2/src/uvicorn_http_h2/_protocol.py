"""HTTP/2 on h2: the core's multiplexed connection, told which codec and protocol ids."""

from __future__ import annotations

from typing import ClassVar

from uvicorn.protocols.http.codec import FrameCodec
from uvicorn.protocols.http.multiplexed import MultiplexedConnection
from uvicorn_http_h2._codec import H2Codec


class H2Protocol(MultiplexedConnection):
    """HTTP/2 over TLS (ALPN ``h2``) and over cleartext with prior knowledge."""

    __slots__ = ()
    codec_class: ClassVar[type[FrameCodec]] = H2Codec
    alpn_protocol: ClassVar[str] = "h2"
    prior_knowledge_preface: ClassVar[bytes | None] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
