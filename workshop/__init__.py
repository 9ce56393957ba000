"""Nyttoverkstad core: knows nothing about pages.

Kept import-light on purpose: ``workshop serve`` must monkey-patch with gevent
before anything imports ``socket`` or ``threading``.
"""

__version__ = "0.1.0"
