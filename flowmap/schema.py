"""The JSON Schema of the model format, for editors and other tools.

Save it once (``flowmap schema -o flowmap.schema.json``) and put this header on
the first line of a model so VS Code's YAML extension completes and checks it::

    # yaml-language-server: $schema=./flowmap.schema.json

>>> schema = model_schema()
>>> schema["title"], "systems" in schema["required"]
('flowmap model, format version 1', True)
>>> schema["$defs"]["Flow"]["properties"]["transform"]["examples"]
['aggregated', 'anonymised', 'masked', 'pseudonymised']
"""

from __future__ import annotations

import json

from flowmap.model import ID_PATTERN, Model
from flowmap.taxonomy import builtin_names
from flowmap.validate import MAX_AGE

__all__ = ["model_schema", "schema_text"]


def model_schema() -> dict:
    """The JSON Schema (draft 2020-12) of a model file, with built-in terms as suggestions."""
    schema = Model.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "flowmap model, format version 1"
    defs = schema.get("$defs", {})
    system = defs.get("System", {}).get("properties", {})
    if "id" in system:
        system["id"]["pattern"] = ID_PATTERN
    # Built-in terms as examples: editors offer them, while extensions stay valid.
    suggestions = {
        ("System", "sector"): "sectors",
        ("System", "actor"): "actors",
    }
    for (definition, field), section in suggestions.items():
        prop = defs.get(definition, {}).get("properties", {}).get(field)
        if prop is not None:
            prop["examples"] = sorted(builtin_names(section))
    for definition, field in (("System", "holds"), ("Flow", "data")):
        prop = defs.get(definition, {}).get("properties", {}).get(field)
        if prop is not None:
            prop["examples"] = [sorted(builtin_names("categories"))[:5]]
    flow = defs.get("Flow", {}).get("properties", {})
    if "transform" in flow:  # format 1.1: taxonomy terms, the built-in ones offered
        flow["transform"]["examples"] = sorted(builtin_names("transforms"))
    if "safeguards" in flow:
        flow["safeguards"]["examples"] = [sorted(builtin_names("safeguards"))]
    ages = system.get("min_age", {}).get("additionalProperties")
    if ages is not None:
        ages.update(minimum=0, maximum=MAX_AGE)
    return schema


def schema_text() -> str:
    """The schema as stable, indented JSON text."""
    return json.dumps(model_schema(), indent=2, sort_keys=True) + "\n"
