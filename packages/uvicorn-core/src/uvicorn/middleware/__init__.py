"""ASGI middleware the server applies itself: interface adapters, proxies, message tracing."""
