"""The built distribution, as a user gets it: the sdist and the wheel built from it, the wheel's
metadata, and the README's quick start in a fresh virtualenv outside the repository, against a
local Prisma server started from that virtualenv."""

from __future__ import annotations

import email.parser
import os
import re
import subprocess
import sys
import tarfile
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import django_prisma
from django_prisma.dbapi.transport import USER_AGENT
from django_prisma.django_support import SUPPORTED_RANGE

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(900)

EXPECTED_CLASSIFIERS = {
    "Framework :: Django",
    "Framework :: Django :: 5.2",
    "Framework :: Django :: 6.0",
    "Programming Language :: Python :: 3.11",
    "Programming Language :: Python :: 3.12",
    "Programming Language :: Python :: 3.13",
    "Topic :: Database",
    "Typing :: Typed",
}


def run(args, **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("timeout", 600)
    result = subprocess.run(args, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{args}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def clean_env(**extra) -> dict:
    """The caller's environment minus whatever would let the repository leak into the venv."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return {**env, **extra}


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """`python -m build`: the sdist, then the wheel built from the unpacked sdist."""
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], env=clean_env())
    return out


def only(folder: Path, pattern: str) -> Path:
    (found,) = folder.glob(pattern)
    return found


def fresh_venv(where: Path) -> Path:
    venv.EnvBuilder(with_pip=True, clear=True).create(where)
    return where / "bin" / "python"


def test_sdist_contains_the_license_and_no_development_files(dist):
    with tarfile.open(only(dist, "django_prisma-*.tar.gz")) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"LICENSE", "README.md", "pyproject.toml", "django_prisma/py.typed"} <= names
    assert "django_prisma/devserver/package-lock.json" in names
    top = {name.split("/", 1)[0] for name in names}
    assert not top & {"tests", "bench", "scripts", "example", "docs", ".ci", ".venv", "build"}
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_wheel_metadata(dist):
    wheel_path = only(dist, "django_prisma-*.whl")
    with zipfile.ZipFile(wheel_path) as wheel:
        names = set(wheel.namelist())
        info = f"django_prisma-{django_prisma.__version__}.dist-info"
        metadata = email.parser.Parser().parsestr(wheel.read(f"{info}/METADATA").decode())
        license_text = wheel.read(f"{info}/licenses/LICENSE").decode()
    # One version: the distribution's and the driver's User-Agent both read __version__.
    assert metadata["Version"] == django_prisma.__version__
    assert USER_AGENT.startswith(f"django-prisma/{django_prisma.__version__} ")
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert "Apache License" in license_text and "Version 2.0, January 2004" in license_text
    assert (ROOT / "LICENSE").read_text() == license_text
    assert EXPECTED_CLASSIFIERS <= set(metadata.get_all("Classifier"))
    assert not [c for c in metadata.get_all("Classifier") if c.startswith("License ::")]
    assert metadata["Requires-Python"] == ">=3.11"
    assert metadata.get_all("Project-URL")

    always = [Requirement(r) for r in metadata.get_all("Requires-Dist") if "extra ==" not in r]
    django_req = next(r for r in always if r.name.lower() == "django")
    assert django_req.specifier == Requirement(SUPPORTED_RANGE).specifier
    assert {r.name.lower() for r in always} == {"django", "orjson", "psycopg"}

    assert {
        "django_prisma/py.typed",
        "django_prisma/devserver/launcher.mjs",
        "django_prisma/devserver/package-lock.json",
    } <= names
    assert not [n for n in names if n.startswith(("tests/", "bench/", "example/", "scripts/"))]


QUICK_START_SETTINGS = """
import os

INSTALLED_APPS += ["django_prisma"]
DATABASES = {
    "default": {
        "ENGINE": "django_prisma",
        "URL": os.environ["DATABASE_URL"],
    }
}
"""

ADMIN_PAGE = """
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import setup_test_environment

import django_prisma

setup_test_environment()
client = Client()
assert client.login(username="admin", password="quick-start-pw")
response = client.get("/admin/auth/user/")
assert response.status_code == 200, response.status_code
assert b"admin@example.com" in response.content
print("ADMIN OK", get_user_model().objects.count(), django_prisma.__file__)
"""


def test_readme_quick_start_in_a_fresh_virtualenv(dist, tmp_path):
    python = fresh_venv(tmp_path / "venv")
    env = clean_env()
    run([python, "-m", "pip", "install", "--quiet", "--find-links", str(dist), "django-prisma"],
        env=env, cwd=tmp_path)  # fmt: skip
    installed = run(
        [python, "-c", "import django_prisma; print(django_prisma.__file__)"], env=env, cwd=tmp_path
    ).stdout.strip()
    assert installed.startswith(str(tmp_path / "venv")), installed

    server = subprocess.Popen(
        [python, "-m", "django_prisma", "dev"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        line = server.stdout.readline().strip()
        assert line.startswith("DATABASE_URL=prisma+postgres://localhost:"), line
        project_env = {**env, "DATABASE_URL": line.split("=", 1)[1]}
        quick_start(python, tmp_path, project_env)
    finally:
        server.terminate()
        server.communicate(timeout=60)
    assert server.returncode == 0


def quick_start(python: Path, where: Path, env: dict) -> None:
    admin = where / "venv" / "bin" / "django-admin"
    run([admin, "startproject", "mysite", str(where)], env=env, cwd=where)
    settings = where / "mysite" / "settings.py"
    settings.write_text(settings.read_text() + textwrap.dedent(QUICK_START_SETTINGS))
    manage = [python, str(where / "manage.py")]
    migrated = run([*manage, "migrate"], env=env, cwd=where).stdout
    assert "Applying auth.0001_initial... OK" in migrated
    superuser = {**env, "DJANGO_SUPERUSER_PASSWORD": "quick-start-pw"}
    run([*manage, "createsuperuser", "--noinput", "--username", "admin",
         "--email", "admin@example.com"], env=superuser, cwd=where)  # fmt: skip
    page = run([*manage, "shell", "-c", ADMIN_PAGE], env=env, cwd=where).stdout
    assert re.search(r"ADMIN OK 1 .*/venv/lib/python3\.\d+/site-packages/", page), page
    schema = run([*manage, "prismaschema", "auth"], env=env, cwd=where).stdout
    assert '@@map("auth_user")' in schema
    assert "DATABASE_URL" not in run([*manage, "check"], env=env, cwd=where).stderr


UNSUPPORTED_DJANGO = """
import sys

import django
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

settings.configure(
    DATABASES={"default": {"ENGINE": "django_prisma", "URL": "prisma+postgres://localhost:1/?api_key=k"}},
    INSTALLED_APPS=sys.argv[1:],
)
try:
    django.setup()
    from django.db import connection
    connection.ensure_connection()
except ImproperlyConfigured as error:
    print("REFUSED", error)
"""


def test_an_unsupported_django_is_refused_with_the_range(dist, tmp_path):
    python = fresh_venv(tmp_path / "venv")
    env = clean_env()
    run([python, "-m", "pip", "install", "--quiet", "--find-links", str(dist), "django-prisma"],
        env=env, cwd=tmp_path)  # fmt: skip
    # pip refuses it together with django-prisma; installed afterwards, it only warns.
    run([python, "-m", "pip", "install", "--quiet", "Django>=4.2,<5"], env=env, cwd=tmp_path)
    version = run([python, "-c", "import django; print(django.get_version())"], env=env).stdout
    assert version.startswith("4.2"), version
    for apps in (["django_prisma"], []):  # the app, then the backend alone
        out = run([python, "-c", UNSUPPORTED_DJANGO, *apps], env=env, cwd=tmp_path)
        assert out.stdout.startswith("REFUSED django-prisma "), out.stdout + out.stderr
        assert f"supports {SUPPORTED_RANGE}" in out.stdout
        assert f"Django {version.strip()} is installed" in out.stdout
