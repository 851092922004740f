"""Each command of `flowmap` is imported when first asked for (flowmap/cli/__init__.py): the
table names every command under its own name, and running one reads no other command's module."""

from __future__ import annotations

import subprocess
import sys

from flowmap.cli import _COMMANDS, main


def test_every_command_in_the_table_has_the_name_it_is_listed_under():
    assert main.list_commands(None) == list(_COMMANDS)
    for name in _COMMANDS:
        assert main.get_command(None, name).name == name
    assert sorted(main.commands) == sorted(_COMMANDS)


def test_running_one_command_imports_no_other_commands_module(tmp_path):
    model = tmp_path / "m.yaml"
    model.write_text("flowmap: 1\nname: m\nsystems: [{id: a, sector: asylum}]\n", "utf-8")
    script = (
        "import sys\n"
        "from flowmap.cli import main\n"
        "try:\n"
        f"    main(['validate', {str(model)!r}], standalone_mode=False)\n"
        "finally:\n"
        "    print(sorted(m for m in sys.modules if m.startswith('flowmap.cli.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True).stdout
    assert out.strip().splitlines()[-1] == "['flowmap.cli.options', 'flowmap.cli.validate_cmd']"
