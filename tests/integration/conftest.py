"""What the integration tests share: their helpers (helpers.py beside this file) and the
fuzz world (tests/fuzz/fuzzlib.py, also used by bench/fuzz.py).

Both are loaded here, once, by path, under names of their own: a plain ``import helpers``
could find another ``helpers`` on ``sys.path`` (pytest puts every test folder there). pytest
loads this file before any test module of the folder, so a test module takes them with::

    import nyttoverkstad_integration_helpers as h
    import nyttoverkstad_fuzzlib as fl
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent


def _load(name: str, path: Path) -> ModuleType:
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None, path
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


_load("nyttoverkstad_integration_helpers", HERE / "helpers.py")
_load("nyttoverkstad_fuzzlib", HERE.parent / "fuzz" / "fuzzlib.py")
