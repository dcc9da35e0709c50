"""Every CRUX_* setting the code reads is declared, with its default and why, in
forum/settings.py: an operator finds all of Crux's knobs in one file."""

from __future__ import annotations

import re
from pathlib import Path

import forum.settings

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_FILE = ROOT / "forum" / "settings.py"

# settings.CRUX_X, getattr(settings, "CRUX_X"...), os.environ["CRUX_X"] / .get("CRUX_X"),
# os.getenv("CRUX_X") and the settings module's env_int("CRUX_X", ...) helpers.
READS = [
    re.compile(r"\bsettings\.(CRUX_\w+)"),
    re.compile(r"getattr\(\s*settings\s*,\s*[\"'](CRUX_\w+)[\"']"),
    re.compile(r"os\.environ(?:\.get\(|\[)\s*[\"'](CRUX_\w+)[\"']"),
    re.compile(r"os\.getenv\(\s*[\"'](CRUX_\w+)[\"']"),
    re.compile(r"\benv_\w+\(\s*[\"'](CRUX_\w+)[\"']"),
]


def crux_names_read(source: str) -> set[str]:
    return {name for pattern in READS for name in pattern.findall(source)}


def declared_names() -> set[str]:
    """Module-level CRUX_* settings, and the CRUX_* variables settings.py reads itself."""
    names = {name for name in vars(forum.settings) if name.startswith("CRUX_")}
    return names | crux_names_read(SETTINGS_FILE.read_text())


def app_sources() -> list[Path]:
    files = [*(ROOT / "forum").rglob("*.py"), *(ROOT / "threads").rglob("*.py")]
    return [path for path in files if "migrations" not in path.parts]


def test_every_crux_setting_read_in_forum_and_threads_is_declared_in_settings() -> None:
    declared = declared_names()
    missing = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in app_sources()
        for name in crux_names_read(path.read_text())
        if name not in declared
    }
    assert not missing, "declare these in forum/settings.py: " + ", ".join(sorted(missing))


def test_the_scan_sees_each_way_of_reading_a_setting() -> None:
    source = "\n".join(
        [
            "settings.CRUX_A",
            'getattr(settings, "CRUX_B", 0)',
            'os.environ.get("CRUX_C")',
            "os.environ['CRUX_D']",
            'os.getenv("CRUX_E")',
            'env_int("CRUX_F", 1)',
            "CRUX_G = 1  # a declaration, not a read",
        ]
    )
    assert crux_names_read(source) == {f"CRUX_{c}" for c in "ABCDEF"}


def test_an_undeclared_name_is_reported() -> None:
    assert "CRUX_NOT_A_SETTING" not in declared_names()
    assert {"CRUX_MAX_BODY_CHARS", "CRUX_SWEEP_SECONDS"} <= declared_names()
