"""Web processes stay light: scikit-learn and SciPy load only where an analysis runs.

Loading them in every gunicorn worker took its RSS from about 120 to 290 MiB (the first
benchmark run); the worker budget is 150 MiB.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import sys
import django
django.setup()
from django.urls import get_resolver
from forum.wsgi import application  # noqa: F401
get_resolver().url_patterns  # imports every view module
import threads.queries, threads.feeds, threads.views.analysis  # noqa: E401,F401
print(",".join(sorted(m for m in ("sklearn", "scipy") if m in sys.modules)))
"""


def test_a_web_process_does_not_import_scikit_learn_or_scipy():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "forum.test_settings", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
