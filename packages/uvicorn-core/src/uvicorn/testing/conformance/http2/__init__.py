"""HTTP/2 conformance: what every multiplexed HTTP/2 implementation must pass (--uvicorn-http2)."""
