"""Helpers shared by every protocol implementation (kept for the import path users know).

Output buffering lives in :mod:`uvicorn.protocols.output`, addresses, TLS and scope
helpers in :mod:`uvicorn.protocols.addresses`.
"""

from __future__ import annotations

from uvicorn.protocols.addresses import (
    get_client_addr,
    get_local_addr,
    get_path_with_query_string,
    get_remote_addr,
    get_tls_extension,
    is_ssl,
    shared_local_address,
)
from uvicorn.protocols.output import (
    HIGH_WATER_LIMIT,
    OUTPUT_FLUSH_SIZE,
    BufferedWriter,
    ClientDisconnected,
    WriteFlowControl,
    flush_connections,
)

__all__ = [
    "HIGH_WATER_LIMIT",
    "OUTPUT_FLUSH_SIZE",
    "BufferedWriter",
    "ClientDisconnected",
    "WriteFlowControl",
    "flush_connections",
    "get_client_addr",
    "get_local_addr",
    "get_path_with_query_string",
    "get_remote_addr",
    "get_tls_extension",
    "is_ssl",
    "shared_local_address",
]
