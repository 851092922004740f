"""The shipped models: valid, sourced, and with findings pinned by golden files.

Every model under ``models/`` and ``examples/`` (any ``*.yaml`` or ``*.json`` whose top
level has a ``flowmap:`` key; spreadsheet templates and other files are skipped) must pass
``flowmap validate --strict``. Every system and flow of a curated model (``models/``)
cites at least one source key that the model defines.

The findings of each curated model are pinned in ``tests/golden/models/<name>.findings.json``
as one ``{id, severity, confidence, status}`` line per finding, so that a change in the
rules or in a model shows up as a reviewable diff. After a deliberate change, regenerate:

    UPDATE_GOLDEN=1 python -m pytest tests/test_models.py
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import UPDATE_GOLDEN

from flowmap.analysis import analyze
from flowmap.cli import main
from flowmap.loader import load_model

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
EXAMPLES = ROOT / "examples"
GOLDEN = Path(__file__).resolve().parent / "golden" / "models"
UPDATE = UPDATE_GOLDEN
HOW_TO_UPDATE = "UPDATE_GOLDEN=1 python -m pytest tests/test_models.py"


def is_model_file(path: Path) -> bool:
    """A YAML or JSON file whose top level is a mapping with a ``flowmap`` key."""
    if path.suffix.lower() not in {".yaml", ".yml", ".json"}:
        return False
    try:
        text = path.read_text("utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (UnicodeDecodeError, ValueError, yaml.YAMLError):
        return False
    return isinstance(data, dict) and "flowmap" in data


def model_files(*roots: Path) -> list[Path]:
    return sorted(p for root in roots for p in root.rglob("*") if p.is_file() and is_model_file(p))


ALL_MODELS = model_files(MODELS, EXAMPLES)
CURATED = model_files(MODELS)


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_model_discovery_finds_the_shipped_models():
    names = [rel(p) for p in ALL_MODELS]
    for expected in (
        "models/eu-interoperability.yaml",
        "models/uk-health-immigration-firewall.yaml",
        "models/us-dhs-biometrics.yaml",
        "examples/tutorial/step1.yaml",
        "examples/tutorial/step2.yaml",
        "examples/tutorial/step3.yaml",
    ):
        assert expected in names
    assert "models/README.md" not in names


def test_discovery_skips_files_that_are_not_models(tmp_path):
    (tmp_path / "template.yaml").write_text("columns: [id, name]\n", "utf-8")
    (tmp_path / "list.json").write_text("[1, 2]\n", "utf-8")
    (tmp_path / "broken.yaml").write_text("flowmap: [\n", "utf-8")
    (tmp_path / "model.json").write_text('{"flowmap": 1, "name": "x", "systems": []}', "utf-8")
    assert [p.name for p in model_files(tmp_path)] == ["model.json"]


@pytest.mark.parametrize("path", ALL_MODELS, ids=rel)
def test_model_validates_strictly(path):
    result = CliRunner().invoke(main, ["validate", "--strict", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: 1 model valid"), result.output


@pytest.mark.parametrize("path", CURATED, ids=rel)
def test_every_system_and_flow_cites_a_defined_source(path):
    model = load_model(path, strict=True)
    keys = set(model.sources)
    problems = []
    for kind, elements in (("system", model.systems), ("flow", model.flows)):
        for element in elements:
            if not element.sources:
                problems.append(f"{kind} '{element.id}' cites no source")
            problems += [f"{kind} '{element.id}' cites undefined '{k}'" for k in element.sources if k not in keys]
            for incident in element.incidents:
                if not incident.sources:
                    problems.append(f"{kind} '{element.id}' has an incident ({incident.date}) without sources")
    assert problems == []


def findings_digest(path: Path) -> list[dict[str, str]]:
    """What the golden files pin: (id, severity, confidence, status) of each finding, in report order."""
    report = analyze(load_model(path, strict=True))
    return [
        {"id": f.id, "severity": f.severity.name, "confidence": f.confidence.value, "status": f.status}
        for f in report.findings
    ]


def golden_text(rows: list[dict[str, str]]) -> str:
    """One finding per line, so a rule change reads as a short diff."""
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    return "[\n" + ",\n".join(f"  {line}" for line in lines) + "\n]\n" if lines else "[]\n"


@pytest.mark.parametrize("path", CURATED, ids=rel)
def test_findings_match_golden(path):
    golden = GOLDEN / f"{path.stem}.findings.json"
    actual = golden_text(findings_digest(path))
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, "utf-8")
    if not golden.exists():
        pytest.fail(f"no golden file {rel(golden)}: create it with `{HOW_TO_UPDATE}` and review it")
    expected = golden.read_text("utf-8")
    if actual != expected:
        old = {row["id"]: row for row in json.loads(expected)}
        new = {row["id"]: row for row in json.loads(actual)}
        gone = sorted(set(old) - set(new))
        added = sorted(set(new) - set(old))
        changed = sorted(i for i in set(old) & set(new) if old[i] != new[i])
        pytest.fail(
            f"findings of {rel(path)} differ from {rel(golden)}: "
            f"{len(added)} new {added[:5]}, {len(gone)} gone {gone[:5]}, {len(changed)} changed {changed[:5]}. "
            f"If the change is intended (a rule or the model changed), run `{HOW_TO_UPDATE}` "
            f"and review the diff of the golden file before committing."
        )


def test_golden_text_is_one_finding_per_line():
    rows = [{"id": "a:b", "severity": "high", "confidence": "low", "status": "open"}]
    assert golden_text(rows) == '[\n  {"id": "a:b", "severity": "high", "confidence": "low", "status": "open"}\n]\n'
    assert golden_text([]) == "[]\n"


def test_every_golden_file_belongs_to_a_model():
    stems = {p.stem for p in CURATED}
    orphans = sorted(p.name for p in GOLDEN.glob("*.findings.json") if p.name.removesuffix(".findings.json") not in stems)
    assert orphans == [], f"golden files without a model in models/: {orphans}"


# --------------------------------------------------------------------------- the EU model matches the record
# What regulators and critics documented about EU interoperability, as finding ids of
# models/eu-interoperability.yaml. Each entry names the source keys of the model that
# document the concern. A rule change that loses one of these is a regression in what
# flowmap can tell a reader, not a golden-file update.

EU_RECORD = {
    # Law-enforcement access to asylum seekers' fingerprints: a use outside the asylum
    # purposes of collection (FRA Opinion 6/2016, FRA 2018), reported although authorised.
    "function_creep:eurodac:eurodac-to-central-access-points": "critical",
    "function_creep:eurodac:eurodac-to-europol": "critical",
    "firewall:eurodac:designated-authorities": "critical",
    "exposure:eurodac:designated-authorities": "critical",
    # Police identity checks against the CIR (Art. 20), called disproportionate by the EDPS
    # and the Article 29 Working Party: every system feeding the CIR is opened to them.
    "function_creep:eurodac:cir-to-police-identity-checks": "critical",
    "function_creep:ees:cir-to-police-identity-checks": "critical",
    "function_creep:vis:cir-to-police-identity-checks": "critical",
    "exposure:eurodac:police-identity-checks": "critical",
    "firewall:eurodac:police-identity-checks": "critical",
    # Transfers to third countries for return (Eurodac Art. 50): refoulement risk (FRA).
    "refoulement:eurodac:countries-of-origin": "critical",
    "function_creep:eurodac:eurodac-to-countries-of-origin": "critical",
    # Children's biometrics (Eurodac and VIS from age 6; FRA 2016 and 2018).
    "children_biometrics:eurodac": "critical",
    "children_biometrics:vis": "high",
    # ETIAS screening rules: "an algorithm enabling profiling" (Art. 33; Statewatch,
    # Guild and Vavoula, Derave et al., OHCHR/Essex), a high-risk technology even with review.
    "high_risk_technology:etias-screening-rules:automated_risk_scoring": "medium",
    "high_risk_technology:etias-screening-rules:predictive_analytics": "medium",
    # Retention extended through links: CIR and MID keep files while any linked record lives.
    "retention_extension:eurodac:cir": "critical",
    "retention_extension:eurodac:mid": "critical",
    "retention_extension:ees:cir": "critical",
    "identity_linking:cir": "critical",
    "identity_linking:mid": "critical",
    # The 2012 breach of SIS data at a contractor hosting the Danish national copy.
    "incident:system:sis-national-copies": "critical",
}


@pytest.fixture(scope="module")
def eu_findings():
    report = analyze(load_model(MODELS / "eu-interoperability.yaml", strict=True))
    return {f.id: f for f in report.findings}


@pytest.mark.parametrize("finding_id", sorted(EU_RECORD))
def test_eu_model_reports_what_the_record_documents(eu_findings, finding_id):
    assert finding_id in eu_findings, f"{finding_id} is documented by the model's sources but no longer found"
    assert eu_findings[finding_id].severity.name == EU_RECORD[finding_id]


def test_eu_law_enforcement_access_is_reported_even_though_authorised(eu_findings):
    finding = eu_findings["function_creep:eurodac:eurodac-to-central-access-points"]
    assert finding.path == ["eurodac", "central-access-points"]
    assert "Regulation (EU) 2024/1358" in finding.message
    assert "authorisation does not make it compatible" in finding.message


def test_eu_police_identity_checks_go_through_the_cir(eu_findings):
    finding = eu_findings["function_creep:eurodac:cir-to-police-identity-checks"]
    assert finding.path == ["eurodac", "cir", "police-identity-checks"]
    assert finding.flows == ["eurodac-to-cir", "cir-to-police-identity-checks"]


def test_eu_refoulement_names_the_eurodac_transfer(eu_findings):
    finding = eu_findings["refoulement:eurodac:countries-of-origin"]
    assert finding.flows == ["eurodac-to-countries-of-origin"]
    assert "biometric.fingerprint" in finding.categories


def test_eu_children_biometrics_follow_eurodac_to_the_country_fled(eu_findings):
    message = eu_findings["children_biometrics:eurodac"].message
    assert "Countries of origin receiving Eurodac data for return" in message


def test_eu_etias_review_is_credited_and_unknown_review_is_not(eu_findings):
    # ETIAS refusals need manual processing by a National Unit (Arts. 22, 26): no finding.
    assert "automated_decision:screening-rules-to-etias" not in eu_findings
    assert "automated_decision:etias-screening-rules:profiling" not in eu_findings
    # Carriers' boarding answer: no source says a person reviews a denial, so it is a gap
    # reported with low confidence (unknown is not safe).
    carrier = eu_findings["automated_decision:carrier-interface-to-carriers"]
    assert carrier.confidence.value == "low"


def test_eu_hits_are_not_copies(eu_findings):
    # ETIAS files record watchlist and Interpol hits, not the records: Europol-entered
    # identities must not travel on through ETIAS to third countries of return.
    assert "refoulement:eurodac:third-countries-return" not in eu_findings
    assert "identity_linking:etias-screening-rules" not in eu_findings


# --------------------------------------------------------------------------- the tutorial shows real output
TUTORIAL = EXAMPLES / "README.md"


def console_blocks(text: str) -> list[tuple[str, list[str]]]:
    """``(command, expected lines)`` for every ``$ flowmap ...`` line in the console blocks.

    ``...`` lines stand for omitted output. ``console_blocks("```console\\n$ flowmap x\\nok\\n```")``
    gives ``[('flowmap x', ['ok'])]``.
    """
    commands: list[tuple[str, list[str]]] = []
    inside = False
    for line in text.splitlines():
        if line.startswith("```"):
            inside = line.strip() == "```console"
            continue
        if not inside:
            continue
        if line.startswith("$ "):
            commands.append((line[2:], []))
        elif commands:
            commands[-1][1].append(line.rstrip())
    return commands


def test_console_blocks_parse_commands_and_output():
    text = "intro\n```console\n$ flowmap a\none\n...\n$ flowmap b\n```\n```yaml\n$ not: a command\n```\n"
    assert console_blocks(text) == [("flowmap a", ["one", "..."]), ("flowmap b", [])]


TUTORIAL_COMMANDS = console_blocks(TUTORIAL.read_text("utf-8"))


def test_tutorial_has_every_step():
    commands = [c for c, _ in TUTORIAL_COMMANDS]
    for step in ("step1.yaml", "step2.yaml", "step3.yaml"):
        assert any(step in c and c.startswith("flowmap analyze") for c in commands)
    assert any(c.startswith("flowmap map examples/tutorial/step3.yaml") for c in commands)
    assert "flowmap diff examples/tutorial/step2.yaml examples/tutorial/step3.yaml" in commands


@pytest.mark.parametrize("command, expected", TUTORIAL_COMMANDS, ids=[c for c, _ in TUTORIAL_COMMANDS])
def test_tutorial_output_is_real(command, expected, tmp_path, monkeypatch):
    # run from a scratch directory that sees examples/ but writes output/ elsewhere
    (tmp_path / "examples").symlink_to(EXAMPLES, target_is_directory=True)
    (tmp_path / "output").mkdir()
    monkeypatch.chdir(tmp_path)
    args = command.split()
    assert args[0] == "flowmap"
    result = CliRunner().invoke(main, args[1:], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    actual = [line.rstrip() for line in result.output.splitlines()]
    shown = [line for line in expected if line != "..."]
    position = 0
    for line in shown:  # the excerpt's lines appear in the real output, in order
        assert line in actual[position:], (
            f"examples/README.md shows {line!r} for `{command}`, but the command no longer prints it: "
            "refresh the excerpt from the real output"
        )
        position = actual.index(line, position) + 1
    if "..." not in expected:  # a complete transcript must be the whole output
        assert actual == shown, f"refresh the output of `{command}` in examples/README.md"
