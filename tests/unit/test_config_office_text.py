"""The office's text fields in lpsectl.yaml are text: anything else is one
clear error naming the key, never a Python repr on a published recap."""

from __future__ import annotations

from pathlib import Path

import pytest

from lpsectl.config import from_dict, load
from lpsectl.errors import BadInput


@pytest.mark.parametrize("key, value", [
    ("name", ["a", {"b": "c"}]),
    ("unit", {"b": "c"}),
    ("address", ["Jl. Veteran", "No. 70"]),
    ("phone", 490),  # YAML 1.1 reads an unquoted 0752 as the octal number 490
    ("email", True),
    ("website", 1.5),
])
def test_an_office_field_that_is_not_text_is_bad_input_naming_the_key(key, value):
    with pytest.raises(BadInput) as err:
        from_dict({"office": {key: value}})
    message = str(err.value)
    assert f"office.{key}" in message and "text" in message
    assert "\n" not in message


def test_office_text_and_empty_fields_are_taken_as_written():
    cfg = from_dict({"office": {"name": "LPSE Kota Payakumbuh", "phone": "0752 92317", "email": None}})
    assert (cfg.office.name, cfg.office.phone, cfg.office.email) == ("LPSE Kota Payakumbuh", "0752 92317", None)


def test_the_yaml_of_the_issue_is_refused_naming_office_name(tmp_path: Path):
    path = tmp_path / "lpsectl.yaml"
    path.write_text("office:\n  name: [a, {b: c}]\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"office\.name: must be text"):
        load(path)
