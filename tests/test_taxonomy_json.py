"""flowmap reads the built-in taxonomy from ``taxonomy.json``, generated from ``taxonomy.yaml`` (the
file people edit): the JSON must be exactly what the YAML generates, so an edit of the YAML that
was not followed by ``python -m flowmap.taxonomy`` fails here."""

from flowmap.taxonomy import json_of_yaml
from tests.conftest import ROOT


def test_taxonomy_json_is_generated_from_the_current_yaml():
    folder = ROOT / "flowmap"
    expected = json_of_yaml((folder / "taxonomy.yaml").read_text("utf-8"))
    assert (folder / "taxonomy.json").read_text("utf-8") == expected, (
        "flowmap/taxonomy.json is stale: run `python -m flowmap.taxonomy` after editing taxonomy.yaml"
    )
