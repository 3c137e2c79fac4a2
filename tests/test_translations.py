"""Every string a user sees has its Vietnamese translation, and the compiled catalogue is current."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|\{\w*\}")


def test_every_message_is_translated_into_vietnamese():
    catalogue = polib.pofile(str(PO))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []
    for entry in catalogue.translated_entries():
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for translation in translations:
            assert sorted(set(PLACEHOLDER.findall(entry.msgid))) == sorted(set(PLACEHOLDER.findall(translation))), (
                entry.msgid
            )


def test_compiled_catalogue_matches_the_source():
    source = {entry.msgid: entry.msgstr for entry in polib.pofile(str(PO)).translated_entries()}
    compiled = {entry.msgid: entry.msgstr for entry in polib.mofile(str(MO)) if entry.msgid}
    assert compiled == source, "run `make messages` and commit locale/vi/LC_MESSAGES/django.mo"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed (CI installs it)")
def test_catalogue_holds_every_string_marked_in_the_code(tmp_path):
    copy = tmp_path / "baove"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".venv", ".git", "var", "node_modules", "staticfiles", "*.pyc", "tests"),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "vi", "--ignore=static/vendor", "--no-obsolete"],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "true", "BAOVE_VAR_DIR": str(tmp_path / "var")},
    )
    assert result.returncode == 0, result.stderr
    extracted = {entry.msgid for entry in polib.pofile(str(copy / PO.relative_to(ROOT)))}
    committed = {entry.msgid for entry in polib.pofile(str(PO)) if not entry.obsolete}
    assert sorted(extracted - committed) == [], "new strings: run `make messages` and translate them"


def test_no_word_is_translated_once_at_import():
    """gettext() at module or class level runs once, in the language of the process at import: the words stay
    Vietnamese on English pages (the assignment page's buttons did). Such words are gettext_lazy."""
    import ast

    found = []
    for root in ("audit", "agencies", "notifications", "cases", "outgoing", "plans", "reports", "work", "config"):
        for path in sorted((ROOT / root).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            eager = {
                alias.asname or alias.name
                for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
                for alias in node.names
                if alias.name in ("gettext", "ngettext", "pgettext", "npgettext")
            }

            def visit(node, in_function, path=path, eager=eager):
                for child in ast.iter_child_nodes(node):
                    inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
                    call = isinstance(child, ast.Call) and isinstance(child.func, ast.Name)
                    if not in_function and call and child.func.id in eager:
                        found.append(f"{path.relative_to(ROOT)}:{child.lineno}")
                    visit(child, inside)

            visit(tree, False)
    assert found == []
