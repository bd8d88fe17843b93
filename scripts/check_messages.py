"""Fail when the es or en catalog misses, or has a fuzzy, translation of any string.

Re-extracts the strings first (makemessages), so a string added to the code but
not to the catalogs is caught here too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tequio"
DJANGO_ADMIN = str(ROOT / ".venv" / "bin" / "django-admin")
IGNORES = ["--ignore=analysis/*", "--ignore=*/analysis/*", "--ignore=tests/*", "--ignore=*/tests/*", "--ignore=bench/*", "--ignore=testing/*"]


def entries(path: Path):
    """Yield (msgid, msgstrs, fuzzy, line) of each entry of a .po file (header skipped)."""
    block: list[str] = []
    start = 1
    for number, line in enumerate([*path.read_text(encoding="utf-8").splitlines(), ""], start=1):
        if line.strip():
            if not block:
                start = number
            block.append(line)
            continue
        if block:
            yield parse(block, start)
            block = []


def parse(block: list[str], start: int):
    fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in block)
    fields: dict[str, str] = {}
    current = None
    for line in block:
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            fields[current] += line[1:-1]
            continue
        key, _space, value = line.partition(" ")
        current = key
        fields[key] = value[1:-1]
    msgid = fields.get("msgid", "")
    msgstrs = [value for key, value in fields.items() if key.startswith("msgstr")]
    return msgid, msgstrs, fuzzy, start


def main() -> int:
    update_only = "--update" in sys.argv[1:]
    subprocess.run(
        [DJANGO_ADMIN, "makemessages", "-l", "es", "-l", "en", "--no-obsolete", "--no-location", *IGNORES],
        cwd=PACKAGE, check=True, capture_output=True,
    )
    problems = []
    for language in ("es", "en"):
        for po in sorted(PACKAGE.glob(f"locale/{language}/LC_MESSAGES/*.po")):
            for msgid, msgstrs, fuzzy, line in entries(po):
                if not msgid:
                    continue
                if fuzzy:
                    problems.append(f"{po.relative_to(ROOT)}:{line}: fuzzy: {msgid[:70]!r}")
                elif any(not value for value in msgstrs):
                    problems.append(f"{po.relative_to(ROOT)}:{line}: untranslated: {msgid[:70]!r}")
    if problems and update_only:
        print(f"{len(problems)} entries to translate:")
        print("\n".join(problems))
        return 0
    if problems:
        print("\n".join(problems))
        print(f"{len(problems)} missing or fuzzy translations. Translate them, then run `make messages`.")
        return 1
    subprocess.run([DJANGO_ADMIN, "compilemessages"], cwd=PACKAGE, check=True, capture_output=True)
    print("es and en catalogs complete")
    return 0


if __name__ == "__main__":
    sys.exit(main())
