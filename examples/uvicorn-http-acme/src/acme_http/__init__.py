"""An example third-party HTTP plugin for uvicorn."""
