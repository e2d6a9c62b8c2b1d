"""uvicorn-standard installs uvicorn-core with the recommended plugins; it has no code."""
