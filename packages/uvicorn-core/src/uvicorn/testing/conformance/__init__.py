"""The conformance suites: every test in ``http/`` runs once per selected HTTP implementation
(``--uvicorn-http``), every test in ``ws/`` once per HTTP x WebSocket pair (``--uvicorn-ws``).

    pytest --pyargs uvicorn.testing.conformance --uvicorn-http NAME
"""
