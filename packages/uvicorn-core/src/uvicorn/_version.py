"""The version of uvicorn-core, on the bottom floor: the CLI reads it without the package."""

__version__ = "0.1.0"
