"""The built-in taxonomy file is read by libyaml's C loader for speed: it must read exactly as
PyYAML's pure-Python safe loader reads it (values and their types), whatever is added to it."""

from importlib import resources

import yaml

from flowmap.taxonomy import _builtin_data


def test_the_builtin_taxonomy_reads_the_same_through_both_loaders():
    text = resources.files("flowmap").joinpath("taxonomy.yaml").read_text("utf-8")
    pure = yaml.load(text, Loader=yaml.SafeLoader)
    assert repr(_builtin_data()) == repr(pure)
    assert pure["categories"], "the file lost its categories"
