"""Fill missing Vietnamese translations from a Python file holding a dict VI = {msgid: msgstr}.

Used when a batch of new strings arrives: `python scripts/po_fill.py batch.py`, then
`make messages`. Existing translations are never overwritten.
"""

import runpy
import sys
from pathlib import Path

import polib

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def main(batch_file: str) -> None:
    translations = runpy.run_path(batch_file)["VI"]
    catalogue = polib.pofile(str(CATALOGUE))
    filled = 0
    for entry in catalogue:
        if entry.msgid in translations and (not entry.msgstr or entry.fuzzy):
            entry.msgstr = translations[entry.msgid]
            if entry.fuzzy:
                entry.flags.remove("fuzzy")
            filled += 1
    catalogue.save()
    missing = [entry.msgid for entry in catalogue.untranslated_entries() if entry.msgid]
    print(f"filled {filled}; still missing {len(missing)}")
    for msgid in missing:
        print("  ", repr(msgid))


if __name__ == "__main__":
    main(sys.argv[1])
