"""`manage.py prismaschema [app_label …]`: the labels choose the apps, unknown ones are refused."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from django_prisma.psl import parse_schema


def prismaschema(*args, **options) -> str:
    out = io.StringIO()
    call_command("prismaschema", *args, stdout=out, **options)
    return out.getvalue()


def model_tables(text: str) -> set[str]:
    return {model.db_name or model.name for model in parse_schema(text).models}


def app_tables(*labels: str) -> set[str]:
    return {
        model._meta.db_table
        for label in labels
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    }


def test_one_label_describes_only_that_app():
    text = prismaschema("contenttypes")
    assert model_tables(text) == app_tables("contenttypes")


def test_several_labels_describe_exactly_those_apps():
    text = prismaschema("sessions", "testapp")
    assert model_tables(text) == app_tables("sessions", "testapp")
    assert "auth_user" not in model_tables(text)


def test_no_label_describes_every_installed_app():
    every = {config.label for config in apps.get_app_configs()}
    assert model_tables(prismaschema()) == app_tables(*every)


def test_repeated_label_is_described_once():
    assert prismaschema("sessions", "sessions") == prismaschema("sessions")


def test_labels_from_the_command_line_parser():
    # What `manage.py prismaschema sessions` does: arguments parsed by the command's own parser.
    from django.core.management import load_command_class

    command = load_command_class("django_prisma", "prismaschema")
    out = io.StringIO()
    command.stdout = command.stdout.__class__(out)
    command.run_from_argv(["manage.py", "prismaschema", "sessions", "--skip-checks"])
    assert model_tables(out.getvalue()) == app_tables("sessions")


@pytest.mark.parametrize(
    "labels", [["nosuchapp"], ["auth", "nosuchapp"], ["django.contrib.auth"]], ids=str
)
def test_unknown_label_is_refused(labels, tmp_path):
    output = tmp_path / "schema.prisma"
    with pytest.raises(CommandError) as raised:
        prismaschema(*labels, output=str(output))
    assert repr(labels[-1]) in str(raised.value)
    assert not output.exists()
