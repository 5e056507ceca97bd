"""Helpers for the local stack's tests: tiny functions and templates written to a temp dir."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from zdlocal.template import Template, load_yaml

WriteFunction = Callable[[str, str], Path]
MakeTemplate = Callable[[str], Template]


@pytest.fixture
def write_function(tmp_path: Path) -> WriteFunction:
    """``write_function("worker", code)`` writes ``<tmp>/worker/app.py``."""

    def write(name: str, code: str) -> Path:
        directory = tmp_path / name
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "app.py").write_text(textwrap.dedent(code), encoding="utf-8")
        return directory

    return write


@pytest.fixture
def make_template(tmp_path: Path) -> MakeTemplate:
    """A template whose relative paths start at the temp dir (where ``write_function`` writes)."""

    def make(text: str) -> Template:
        path = tmp_path / "template.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return Template(body=load_yaml(path.read_text(encoding="utf-8")), root=tmp_path)

    return make
