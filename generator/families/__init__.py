"""Problem families: one module each, registered in ``generator/registry.py``."""
