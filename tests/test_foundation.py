"""The foundation: taxonomy merging, typed model, schema, docs and README kept in step."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import ROOT, build
from flowmap.cli import main
from flowmap.errors import ModelError
from flowmap.loader import load_model
from flowmap.taxonomy import Sensitivity, builtin_taxonomy
from flowmap.taxonomy_reference import taxonomy_markdown

CONTRACT_CATEGORIES = """biometric.fingerprint biometric.face biometric.iris biometric.dna biometric.voice
identity.biographic identity.travel_document identity.civil_status identity.contact migration.asylum_claim
migration.immigration_status migration.visa_application migration.travel_itinerary migration.border_crossing
migration.alert criminal.record criminal.alert criminal.suspicion special.health special.ethnicity special.religion
special.sexual_orientation special.political_opinion location.tracking device.extraction communications.metadata
communications.content online.social_media financial family.links welfare.benefits education.records
employment.records inferred.risk_score inferred.emotion""".split()


def test_builtin_taxonomy_covers_the_contract():
    tax = builtin_taxonomy()
    assert set(CONTRACT_CATEGORIES) <= set(tax.categories)
    assert tax.sensitivity("migration.asylum_claim") is Sensitivity.critical
    for name in ("biometric.fingerprint", "biometric.face", "biometric.iris", "biometric.dna", "biometric.voice"):
        assert tax.sensitivity(name) is Sensitivity.special
    for family in ("protection", "services", "migration", "enforcement", "security", "statistics"):
        assert any(p.startswith(family + ".") for p in tax.purposes)
    assert {"law_enforcement", "immigration_enforcement", "intelligence", "military", "third_country",
            "origin_country", "private_contractor", "international_org"} <= set(tax.actors)
    assert tax.technology_risk("emotion_recognition").name == "at_odds"
    assert tax.technology_risk("remote_face_recognition").name == "high"
    assert tax.is_vulnerable("child") and not tax.is_vulnerable("traveller")


def test_parent_covers_children_only():
    tax = builtin_taxonomy()
    assert tax.covers("biometric", "biometric.face")
    assert not tax.covers("biometric.face", "biometric")
    assert not tax.covers("bio", "biometric.face")


def test_compatibility_is_symmetric_and_family_wide():
    tax = builtin_taxonomy()
    assert tax.compatible("enforcement.law", "enforcement.return")
    assert not tax.compatible("services.health", "enforcement.immigration")
    assert tax.compatible("operations.hosting", "migration.visa") and tax.compatible("migration.visa", "operations.hosting")


def test_model_extends_taxonomy_with_the_contract_example():
    model = build(
        [{"id": "a", "sector": "tax", "holds": ["identity.minor"], "purposes": ["services.hosting"],
          "subjects": ["witness"]}],
        taxonomy={
            "categories": {"identity.minor": {"sensitivity": "high", "description": "about a child"}},
            "purposes": {"services.hosting": {"description": "hosting"}},
            "compatible": [["services.hosting", "migration.border_management"]],
            "subjects": ["suspect", "witness"],
            "sectors": ["tax"],
            "technologies": {"gait_analysis": {"risk": "high"}},
        },
    )
    tax = model.effective_taxonomy
    assert tax.sensitivity("identity.minor") is Sensitivity.high
    assert tax.compatible("services.hosting", "migration.border_management")
    assert tax.technology_risk("gait_analysis").name == "high"
    assert "biometric.face" in tax.categories  # extended, not replaced


def test_redefining_builtin_needs_override():
    taxonomy = {"categories": {"biometric.face": {"sensitivity": "critical"}}}
    with pytest.raises(ModelError, match="already built in with sensitivity special, not critical: add `override: true`"):
        build([{"id": "a", "sector": "asylum"}], taxonomy=taxonomy)
    taxonomy["categories"]["biometric.face"]["override"] = True
    model = build([{"id": "a", "sector": "asylum"}], taxonomy=taxonomy)
    assert model.effective_taxonomy.sensitivity("biometric.face") is Sensitivity.critical


def test_flow_defaults_and_purpose_forms():
    model = build(
        [{"id": "a", "sector": "asylum", "holds": ["identity"], "purposes": ["protection.asylum"]},
         {"id": "b", "sector": "police"}],
        [{"from": "a", "to": "b", "data": ["identity"], "purpose": ["enforcement.law", "enforcement.return"]}],
    )
    flow = model.flows[0]
    assert flow.id == "a->b" and flow.purposes == ["enforcement.law", "enforcement.return"]
    assert flow.transport.encrypted is None  # unknown, not false


def test_flow_carrying_data_its_source_never_has_is_a_warning():
    systems = [{"id": "a", "sector": "asylum", "holds": ["identity"], "purposes": ["protection.asylum"]},
               {"id": "b", "sector": "police"}, {"id": "c", "sector": "police"}]
    flows = [{"from": "a", "to": "b", "data": ["identity.biographic"], "purpose": "enforcement.law"},
             {"from": "b", "to": "c", "data": ["special.health"], "purpose": "enforcement.law"}]
    model = build(systems, flows)
    assert [w.format() for w in model.warnings] == [
        "test.yaml: flows[1].data[0]: warning: flow 'b->c' carries 'special.health' but 'b' never holds or "
        "receives it: add it to the `holds` of 'b' or to a flow into it"
    ]


def test_load_json_model(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"flowmap": 1, "name": "j", "systems": [{"id": "a", "sector": "asylum"}]}))
    assert load_model(path).name == "j"


def test_schema_command_gives_the_format_schema():
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["required"] == ["flowmap", "name", "systems"]
    flow = schema["$defs"]["Flow"]
    assert {"from", "to", "data", "purpose"} <= set(flow["properties"])
    assert flow["additionalProperties"] is False
    assert all("description" in p for p in schema["$defs"]["System"]["properties"].values())


def test_taxonomy_reference_is_current():
    committed = (ROOT / "docs" / "taxonomy.md").read_text("utf-8")
    assert committed == taxonomy_markdown(builtin_taxonomy()), (
        "docs/taxonomy.md is stale: run `flowmap taxonomy --format markdown -o docs/taxonomy.md`"
    )


@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
def test_taxonomy_command_formats(fmt):
    result = CliRunner().invoke(main, ["taxonomy", "--format", fmt])
    assert result.exit_code == 0
    assert "biometric.face" in result.output


def _commands():
    return sorted(main.commands)


@pytest.mark.parametrize("name", _commands())
def test_every_command_has_help_with_example_and_is_documented(name):
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output, f"`flowmap {name} --help` needs an example"
    readme = (ROOT / "README.md").read_text("utf-8")
    assert f"flowmap {name}" in readme, f"README.md does not mention `flowmap {name}`"


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_command():
    readme = (ROOT / "README.md").read_text("utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, flags=re.S)
    install_and_run, test_command = blocks[0], blocks[1]
    assert install_and_run.startswith("pip install . && flowmap ")
    assert test_command == "pip install -e '.[test]' && ruff check . && python -m pytest"
    assert test_command in (ROOT / ".ci" / "run").read_text("utf-8")


def test_main_command_of_the_readme_runs_on_the_bundled_model():
    readme = (ROOT / "README.md").read_text("utf-8")
    command = re.findall(r"```sh\n(.*?)\n```", readme, flags=re.S)[0].split("&& ", 1)[1].split()
    assert command[0] == "flowmap"
    assert (ROOT / command[2]).exists()
    result = subprocess.run(
        [sys.executable, "-m", "flowmap", *command[1:]], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    golden = ROOT / "tests" / "golden" / "models" / f"{(ROOT / command[2]).stem}.findings.json"
    expected = json.loads(golden.read_text("utf-8"))  # the findings pinned for this model
    assert result.stdout.splitlines()[-1].startswith(f"{len(expected)} findings: ")
    assert f"  {expected[0]['id']}  " in result.stdout
    assert "Traceback" not in result.stderr
    blocks = re.findall(r"^```(\w*)\n(.*?)\n```$", readme, flags=re.S | re.M)
    shown = next(text for language, text in blocks if not language).splitlines()  # the first screen, as the README shows it
    if shown[-1] == "...":
        shown = shown[:-1]
    assert result.stdout.splitlines()[:len(shown)] == shown, "README.md shows another first screen: update it"


def test_help_does_not_import_heavy_libraries():
    code = "import sys, flowmap.cli; print(sorted(m for m in ('pandas', 'pyvis', 'networkx') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
