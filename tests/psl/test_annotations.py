"""Reading `/// @django` annotations: names, expressions, and the imports they need."""

from __future__ import annotations

import pytest

from django_prisma.psl.annotations import field_annotation, imports_for, model_annotations


def test_field_annotation_with_and_without_a_django_name():
    assert field_annotation("@django models.CharField(default='a=b')", "code") == (
        "code",
        "models.CharField(default='a=b')",
    )
    assert field_annotation(
        "free text\n@django user = models.ForeignKey(to='auth.user')", "user_id"
    ) == (
        "user",
        "models.ForeignKey(to='auth.user')",
    )
    assert field_annotation("just a comment", "x") is None


def test_model_annotations_keep_meta_values_as_written():
    found = model_annotations(
        "@django model auth.User\n@django Meta(ordering=['-id'], verbose_name='user')\n"
        "@django auto_created auth.User.groups"
    )
    assert (found.app_label, found.class_name) == ("auth", "User")
    assert found.meta == {"ordering": "['-id']", "verbose_name": "'user'"}
    assert found.auto_created == "auth.User.groups"


@pytest.mark.parametrize("meta", ["Meta(**options)", "Meta(ordering=['-id']).x", "Meta(a=1) + 1"])
def test_meta_annotations_other_than_keyword_options_are_refused(meta):
    with pytest.raises(ValueError, match=r"expected Meta\(option=value, …\)"):
        model_annotations(f"@django model auth.User\n@django {meta}")


def test_imports_come_from_the_longest_importable_module():
    assert imports_for(
        "models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)"
    ) == {
        "from django.db import models",
        "import django.db.models.deletion",
        "from django.conf import settings",
    }
    assert imports_for("datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)") == {
        "import datetime"
    }
    assert imports_for("models.JSONField(default=dict)") == {"from django.db import models"}
