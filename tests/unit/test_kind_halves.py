"""An activity kind is one Python module plus one JS module: every registered kind has both."""

from __future__ import annotations

import re
from pathlib import Path

from workshop.activities import all_kinds

KINDS_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "kinds"


def test_every_kind_has_a_js_module_with_phone_presenter_and_console():
    missing = {}
    for key in sorted(all_kinds()):
        path = KINDS_JS / f"{key}.js"
        source = path.read_text() if path.exists() else ""
        lacks = [
            name
            for name in ("phone", "presenter", "console")
            if not re.search(rf"export\s+(?:async\s+)?(?:function|const|let)\s+{name}\b", source)
        ]
        if lacks:
            missing[key] = lacks
    assert missing == {}
    assert len(all_kinds()) >= 16  # the registry found the kinds at all


def test_shared_helpers_are_not_kinds():
    """Modules whose name starts with _ hold helpers shared by kinds (Python and JS alike)."""
    assert not any(key.startswith("_") for key in all_kinds())
    assert {p.stem for p in KINDS_JS.glob("*.js") if not p.stem.startswith("_")} == set(all_kinds())
