"""Shared test helpers: build small models from Python data without boilerplate."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
# Rewrite golden files instead of comparing with them: exactly UPDATE_GOLDEN=1, in every test file
# (UPDATE_GOLDEN=0 or an empty value compares).
UPDATE_GOLDEN = os.environ.get("UPDATE_GOLDEN") == "1"
sys.path.insert(0, str(Path(__file__).resolve().parent))


def model_data(systems: list[dict], flows: list[dict] | None = None, **top: Any) -> dict:
    """A minimal valid model dict around the given systems and flows."""
    data = {"flowmap": 1, "name": top.pop("name", "test model"), "systems": systems, "flows": flows or []}
    data.update(top)
    return data


def build(systems: list[dict], flows: list[dict] | None = None, **top: Any):
    """A validated Model (raises ModelError like a file would)."""
    from flowmap.validate import build_model

    return build_model(model_data(systems, flows, **top), "test.yaml")


@pytest.fixture
def write_model(tmp_path):
    """Write a model dict (or raw text) to a YAML file and return its path."""

    def write(data: dict | str, name: str = "model.yaml") -> Path:
        path = tmp_path / name
        text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write
