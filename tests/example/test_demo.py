"""The README's first command: the demo runs end to end on a fresh local Prisma Postgres."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_passes_every_step_and_renders_the_admin_changelist():
    result = subprocess.run(
        [sys.executable, str(ROOT / "example" / "demo.py")],
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "example.project.settings"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[ok ] GET /admin/petshop/pet/ (changelist): HTTP 200" in result.stdout
    assert "FAIL" not in result.stdout
