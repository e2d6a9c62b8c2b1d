"""Applications written with real frameworks, importable as ``tests.frameworks.apps.<module>``."""
