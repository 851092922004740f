"""The built-in taxonomy is read from ``taxonomy.json``, generated from ``taxonomy.yaml`` by
libyaml's C loader: it must read exactly as PyYAML's pure-Python safe loader reads the YAML
(values, their types and their order), whatever is added to it."""

from importlib import resources

import yaml

from flowmap.taxonomy import _builtin_data


def test_the_builtin_taxonomy_reads_as_the_yaml_through_the_pure_loader():
    text = resources.files("flowmap").joinpath("taxonomy.yaml").read_text("utf-8")
    pure = yaml.load(text, Loader=yaml.SafeLoader)
    assert repr(_builtin_data()) == repr(pure)
    assert pure["categories"], "the file lost its categories"
