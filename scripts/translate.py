"""Fill Swedish translations for msgids given in a JSON file, then compile.

Usage: .venv/bin/python scripts/translate.py translations.json
The JSON maps English msgids to Swedish. Run `make translations` first to extract and update.
"""

import json
import sys

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

PO = "workshop/translations/sv/LC_MESSAGES/messages.po"
MO = "workshop/translations/sv/LC_MESSAGES/messages.mo"

pairs = json.load(open(sys.argv[1], encoding="utf-8"))
with open(PO, "rb") as fh:
    catalog = read_po(fh)
for msgid, text in pairs.items():
    message = catalog.get(msgid)
    if message is None:
        raise SystemExit(f"not in the catalogue: {msgid!r}")
    message.string = text
    message.flags.discard("fuzzy")
with open(PO, "wb") as fh:
    write_po(fh, catalog, width=100)
with open(MO, "wb") as fh:
    write_mo(fh, catalog)
missing = [m.id for m in catalog if m.id and not m.string]
print(f"translated {len(pairs)}; still missing {len(missing)}")
for m in missing:
    print("  ", repr(m))
