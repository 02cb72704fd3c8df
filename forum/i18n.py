"""Interface catalogues: compile them and find what a translator still has to do."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
# What counts as interface text: babel.cfg says which files, these say which calls and folders.
EXTRACT_OPTIONS = [
    "--mapping-file", str(ROOT / "babel.cfg"),
    "--keyword", "_l",
    "--keyword", "lazy_gettext",
    "--sort-output",
    "--no-location",
    "--project", "Sounding Board",
    "--copyright-holder", "Sounding Board contributors",
    "--ignore-dirs", ".* ._ __pycache__ tests loadtest migrations node_modules",
]  # fmt: skip


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "--quiet", *args])


def extract_template(output: Path, *, locations: bool = False) -> Catalog:
    """Extract the interface text from the code and templates as they are now."""
    options = [o for o in EXTRACT_OPTIONS if locations is False or o != "--no-location"]
    _pybabel("extract", *options, "--output-file", str(output), str(ROOT))
    with output.open("rb") as handle:
        return read_po(handle)


def update_catalogues() -> None:
    """Refresh messages.pot and merge it into every catalogue (new messages come in empty)."""
    template = TRANSLATIONS / f"{DOMAIN}.pot"
    extract_template(template)
    _pybabel(
        "update", "--input-file", str(template), "--output-dir", str(TRANSLATIONS),
        "--no-fuzzy-matching", "--ignore-obsolete", "--width", "100",
    )  # fmt: skip
    # The code is written in English, so the English catalogue takes new text as it stands.
    source = catalogue_paths(TRANSLATIONS).get(SOURCE_LANGUAGE)
    if source is not None:
        catalogue = read_catalogue(source, SOURCE_LANGUAGE)
        for message in catalogue:
            if message.id and not is_translated(message):
                message.string = tuple(message.id) if message.pluralizable else message.id
        with source.open("wb") as handle:
            write_po(handle, catalogue, width=100)


def catalogue_paths(directory: Path) -> dict[str, Path]:
    """Every language's .po file under a translations directory, by language code."""
    return {
        path.parent.parent.name: path
        for path in sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    }


def read_catalogue(path: Path, locale: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def compile_catalogues(directory: Path) -> list[Path]:
    """Write each .mo next to its .po where it is missing or older; return what was written."""
    written = []
    for code, po in catalogue_paths(directory).items():
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        catalogue = read_catalogue(po, code)
        with mo.open("wb") as handle:
            write_mo(handle, catalogue, use_fuzzy=False)
        written.append(mo)
    return written


def catalogue_problems(directory: Path, template: Catalog) -> list[str]:
    """Everything that would show a user an untranslated or broken message, one line each.

    `template` is the interface text as extracted from the code now, so a message added to a
    template or a form but never merged into a catalogue counts as untranslated too.
    """
    problems = []
    for code, po in catalogue_paths(directory).items():
        catalogue = read_catalogue(po, code)
        for message in template:
            if not message.id:
                continue
            entry = catalogue.get(message.id)
            if entry is None or entry.fuzzy or not is_translated(entry):
                problems.append(f"{code}: untranslated: {_show(message.id)}")
        for message, errors in catalogue.check():
            for error in errors:
                problems.append(f"{code}: {_show(message.id)}: {error}")
    return problems


def is_translated(message: Message) -> bool:
    """True when the message, and every plural form of it, has a translation."""
    strings = message.string
    if strings is None or isinstance(strings, str):
        return bool(strings)
    return bool(strings) and all(strings)


def _show(msgid: object) -> str:
    return repr(msgid[0] if isinstance(msgid, (tuple, list)) else msgid)


def main(command: str) -> int:
    """`compile` (make catalogues) or `update` (make messages: extract, merge, list the gaps)."""
    if command == "compile":
        for mo in compile_catalogues(TRANSLATIONS):
            print(f"compiled {mo.relative_to(ROOT)}")
        return 0
    update_catalogues()
    missing = catalogue_problems(TRANSLATIONS, read_catalogue(TRANSLATIONS / f"{DOMAIN}.pot", "en"))
    print("\n".join(missing) or "Every catalogue is complete.")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "update"))
