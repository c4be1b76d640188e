"""The codebook: the shipped codebook, validation, (re)loading, export, the tree and code references."""

from __future__ import annotations

import itertools
import json
import re
import uuid
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from beacon_qual.cli import main
from beacon_qual.codebook import edit, load, tree, yamlfile
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project, new_uuid, now

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "codebooks" / "learning_innovation.yaml"
INVALID = Path(__file__).resolve().parent / "data" / "codebooks"

REQUIRED_PATHS = [
    "Inter-organisational learning/Acquiring knowledge",
    "Inter-organisational learning/Translating and assimilating knowledge",
    "Inter-organisational learning/Applying knowledge",
    "Knowledge type/Tacit knowledge",
    "Knowledge type/Explicit knowledge",
    "Direction of learning/Learning pull",
    "Direction of learning/Dissemination push",
    "Innovation/Learning to imitate/Adoption",
    "Innovation/Learning to imitate/Replication",
    "Innovation/Learning to innovate/Adaptation",
    "Innovation/Learning to innovate/Reinvention",
    "Innovation/Learning to innovate/New practice",
    "Adaptation to local context",
    "Improvement and outcomes/Service improvement",
    "Improvement and outcomes/Uneven improvement",
    "Beacon Scheme activities/Applying for Beacon status",
    "Beacon Scheme activities/Open days",
    "Beacon Scheme activities/Site visits",
    "Beacon Scheme activities/Peer mentoring",
    "Beacon Scheme activities/Secondments",
    "Beacon Scheme activities/Toolkits and publications",
    "Beacon Scheme activities/Learning events",
    "Context/Central government pressure and reform",
    "Context/Leadership",
    "Context/Organisational culture",
    "Context/Absorptive capacity",
    "Context/Partnerships and networks",
    "Barriers to learning",
]

MINI = """\
version: "1"
name: Mini
codes:
  - id: 11111111-1111-4111-8111-111111111111
    name: Innovation
    codable: false
    colour: "#FFD75F"
    children:
      - id: 22222222-2222-4222-8222-222222222222
        name: Adoption
        colour: "#5FAFFF"
      - id: 33333333-3333-4333-8333-333333333333
        name: Adaptation
        colour: "#87D787"
        keywords: [adapted, tailored]
  - id: 44444444-4444-4444-8444-444444444444
    name: Context
    codable: false
    children:
      - id: 55555555-5555-4555-8555-555555555555
        name: Leadership
      - id: 66666666-6666-4666-8666-666666666666
        name: Culture
"""
ADOPTION, ADAPTATION, LEADERSHIP, CULTURE = (
    "22222222-2222-4222-8222-222222222222",
    "33333333-3333-4333-8333-333333333333",
    "55555555-5555-4555-8555-555555555555",
    "66666666-6666-4666-8666-666666666666",
)


# -- fixtures and helpers ------------------------------------------------------------------------------


@pytest.fixture
def project(make_project):
    return make_project()


def write(tmp_path: Path, text: str, name: str = "book.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def add_document(project: Project, name: str = "doc1.txt") -> int:
    text = "We went on a site visit and adapted what we saw to our rural districts. " * 3
    with project.transaction():
        return project.execute(
            "INSERT INTO documents(uuid, name, text, sha256, word_count, imported_at) VALUES (?,?,?,?,?,?)",
            (new_uuid(), name, text, "x", len(text.split()), now()),
        ).lastrowid


def add_coding(
    project: Project, document_id: int, code_id: int, coder: str, start: int = 0, end: int = 10
) -> None:
    coder_id = project.coder_id(coder)
    with project.transaction():
        project.execute(
            "INSERT INTO codings(uuid, document_id, code_id, coder_id, start, end, created_at)"
            " VALUES (?,?,?,?,?,?,?)",
            (new_uuid(), document_id, code_id, coder_id, start, end, now()),
        )


def code_id(project: Project, code_uuid: str) -> int:
    return project.scalar("SELECT id FROM codes WHERE uuid = ?", (code_uuid,))


def snapshot(project: Project) -> dict[str, list[tuple]]:
    return {
        table: [tuple(r) for r in project.execute(f"SELECT * FROM {table} ORDER BY rowid")]
        for table in ("codes", "codings", "meta", "audit")
    }


def error_of(path: Path) -> BeaconError:
    with pytest.raises(BeaconError) as info:
        yamlfile.parse_codebook(path)
    return info.value


def relative_luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


# -- the shipped codebook ----------------------------------------------------------------------------------


def test_shipped_codebook_covers_every_required_area():
    book = yamlfile.parse_codebook(SHIPPED)
    paths = {path for path, _ in book.walk()}
    missing = [p for p in REQUIRED_PATHS if p not in paths]
    assert missing == []
    assert book.name and book.version and book.description
    assert "invented" in SHIPPED.read_text(encoding="utf-8").split("\ncodes:")[0].lower()


def test_every_shipped_code_is_fully_described_with_a_readable_distinct_colour():
    book = yamlfile.parse_codebook(SHIPPED)
    specs = [spec for _, spec in book.walk()]
    assert len(specs) >= 40
    for spec in specs:
        assert spec.uuid and uuid.UUID(spec.uuid).version == 4, spec.name
        assert spec.description and spec.inclusion and spec.exclusion and spec.example, spec.name
        assert "(invented)" in spec.example, spec.name
        assert len(spec.keywords) >= 3, spec.name
        assert re.fullmatch(r"#[0-9A-F]{6}", spec.colour or ""), spec.name
        # WCAG contrast against a typical dark terminal background (#1E1E1E) is at least 4.5:1.
        contrast = (relative_luminance(spec.colour) + 0.05) / (relative_luminance("#1E1E1E") + 0.05)
        assert contrast >= 4.5, (spec.name, spec.colour, contrast)
    groups = [book.codes] + [spec.children for spec in specs if spec.children]
    for group in groups:
        for a, b in itertools.combinations(group, 2):
            channels = ((int(a.colour[i : i + 2], 16), int(b.colour[i : i + 2], 16)) for i in (1, 3, 5))
            distance = sum((x - y) ** 2 for x, y in channels) ** 0.5
            assert distance >= 50, (a.name, b.name)
    groupings = {path for path, spec in book.walk() if not spec.codable}
    assert "Innovation" in groupings and "Innovation/Learning to innovate/Adaptation" not in groupings


def test_shipped_codebook_loads_and_reloads_unchanged(project):
    report = load.load_codebook(project, SHIPPED)
    total = len(list(yamlfile.parse_codebook(SHIPPED).walk()))
    assert (report.added, report.updated, report.moved, report.unchanged) == (total, 0, 0, 0)
    assert project.scalar("SELECT count(*) FROM codes") == total
    assert project.get_meta("codebook_version") == str(
        yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))["version"]
    )
    assert project.get_meta("codebook_name") == "Learning and innovation in the Beacon Scheme"
    again = load.load_codebook(project, SHIPPED)
    assert (again.added, again.updated, again.moved, again.unchanged) == (0, 0, 0, total)
    adaptation = tree.resolve_code(project, "Innovation/Learning to innovate/Adaptation")
    assert tree.get_code(project, adaptation).keywords[:2] == ("adapted", "adapt")


# -- validation ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, expected",
    [
        (
            "duplicate_name.yaml",
            "duplicate_name.yaml:11: duplicate code name 'tacit' under 'Knowledge type' (first at line 8)",
        ),
        (
            "malformed.yaml",
            (
                "malformed.yaml:7: malformed YAML: expected ',' or ']', but got ':' "
                "(while parsing a flow sequence started at line 6)"
            ),
        ),
        (
            "unknown_parent.yaml",
            (
                "unknown_parent.yaml:9: unknown parent 'Inovation' of code 'Replication'; "
                "did you mean 'Innovation'?"
            ),
        ),
        ("parent_cycle.yaml", "parent_cycle.yaml:7: parent cycle: Leadership -> Culture -> Leadership"),
        ("alias_cycle.yaml", "alias_cycle.yaml:8: alias *loop refers to a node that contains it (a cycle)"),
        (
            "alias_bomb.yaml",
            "alias_bomb.yaml:6: the file expands to more than 50000 YAML nodes (alias expansion)",
        ),
        ("bad_colour.yaml", "bad_colour.yaml:6: colour '#FFD75' of code 'Innovation' is not #RRGGBB"),
        ("missing_name.yaml", "missing_name.yaml:7: a code has no name (under 'Context')"),
        (
            "duplicate_id.yaml",
            (
                "duplicate_id.yaml:7: duplicate id 0b7d2c44-6a57-4b0e-9d55-3f1c4e0a8a11 "
                "(also the id of 'Innovation' at line 5)"
            ),
        ),
    ],
)
def test_each_problem_is_reported_with_its_line(name, expected):
    error = error_of(INVALID / name)
    assert error.message == expected
    assert error.details == []


def test_all_problems_are_collected_first_in_the_message_rest_in_details():
    error = error_of(INVALID / "several_problems.yaml")
    assert error.message == "several_problems.yaml:1: missing 'version' at the top of the codebook"
    assert error.details == [
        "several_problems.yaml:5: colour 'red' of code 'Innovation' is not #RRGGBB",
        "several_problems.yaml:6: 'codable' of code 'Innovation' must be true or false",
        "several_problems.yaml:7: duplicate keyword 'Copy' in code 'Innovation'",
        "several_problems.yaml:9: unknown field 'color' in code 'Context'; did you mean 'colour'?",
        "several_problems.yaml:10: 'id' of code 'Context' is 'not-a-uuid', not a UUID",
        "several_problems.yaml:11: duplicate code name 'Context' at the top level (first at line 8)",
    ]


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"", "book.yaml:1: the file is empty; a codebook needs name, version and codes"),
        (b"name: caf\xe9\n", "is not UTF-8 text (byte 0xe9 at offset 9); save it as UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "is a binary file, not a YAML codebook"),
        (b"- just\n- a list\n", "book.yaml:1: the codebook must be a mapping of fields"),
    ],
)
def test_unreadable_files_give_one_line(tmp_path, data, expected):
    path = tmp_path / "book.yaml"
    path.write_bytes(data)
    assert expected in error_of(path).message


def test_missing_file_is_named(tmp_path):
    assert error_of(tmp_path / "nope.yaml").message == f"codebook file {tmp_path / 'nope.yaml'} not found"


def test_flat_parent_form_and_shared_aliases_build_the_same_tree(tmp_path):
    text = """\
version: "2"
name: Flat
codes:
  - name: Innovation
    keywords: &shared [new, novel]
  - name: Learning to innovate
    parent: Innovation
    keywords: *shared
  - name: Adaptation
    parent: learning to innovate
"""
    book = yamlfile.parse_codebook(write(tmp_path, text))
    assert [p for p, _ in book.walk()] == [
        "Innovation",
        "Innovation/Learning to innovate",
        "Innovation/Learning to innovate/Adaptation",
    ]
    assert book.find("Innovation/Learning to innovate").keywords == ["new", "novel"]


def test_an_invalid_codebook_changes_nothing(project, tmp_path):
    load.load_codebook(project, write(tmp_path, MINI))
    document = add_document(project)
    add_coding(project, document, code_id(project, ADOPTION), "ana")
    before = snapshot(project)
    broken = MINI.replace("name: Adaptation", "name: Adoption").replace("Leadership", "Leadership/Politics")
    with pytest.raises(BeaconError) as info:
        load.load_codebook(project, write(tmp_path, broken, "broken.yaml"))
    assert info.value.message == (
        "broken.yaml:13: duplicate code name 'Adoption' under 'Innovation' (first at line 10)"
    )
    assert info.value.details == [
        "broken.yaml:21: code name 'Leadership/Politics' contains '/', which separates code paths"
    ]
    assert snapshot(project) == before


# -- reloading an edited codebook ---------------------------------------------------------------------------


def test_reload_renames_moves_and_keeps_codes_with_codings(project, tmp_path):
    load.load_codebook(project, write(tmp_path, MINI))
    document = add_document(project)
    adoption, adaptation = code_id(project, ADOPTION), code_id(project, ADAPTATION)
    add_coding(project, document, adoption, "ana", 0, 5)
    add_coding(project, document, adaptation, "ana", 5, 9)
    add_coding(project, document, adaptation, "ben", 5, 9)
    edited = (
        MINI.replace("name: Adoption", "name: Adoption of practice")  # renamed, same id
        .replace("        name: Adaptation\n", "        name: Adaptation\n        definition: Changed.\n")
        .replace(
            """      - id: 55555555-5555-4555-8555-555555555555
        name: Leadership
""",
            "",
        )  # removed, no codings
        .replace(
            """      - id: 33333333-3333-4333-8333-333333333333
        name: Adaptation""",
            """      - id: 77777777-7777-4777-8777-777777777777
        name: Imitation""",
        )  # Adaptation dropped from the file
    )
    edited += """      - id: 33333333-3333-4333-8333-333333333333
        name: Adaptation
        colour: "#87D787"
        keywords: [adapted, tailored]
"""  # ...and moved under Context
    report = load.load_codebook(project, write(tmp_path, edited, "edited.yaml"))
    assert (report.added, report.updated, report.moved, report.unchanged) == (1, 2, 1, 2)
    assert [(k.path, k.codings) for k in report.kept] == [("Context/Leadership", 0)]
    assert tree.code_path(project, adoption) == "Innovation/Adoption of practice"
    assert tree.code_path(project, adaptation) == "Context/Adaptation"
    assert code_id(project, ADOPTION) == adoption and code_id(project, ADAPTATION) == adaptation
    codings = project.execute(
        "SELECT code_id, count(*) FROM codings GROUP BY code_id ORDER BY code_id"
    ).fetchall()
    assert [tuple(r) for r in codings] == [(adoption, 1), (adaptation, 2)]
    imitation = code_id(project, "77777777-7777-4777-8777-777777777777")
    assert tree.get_code(project, imitation).path == "Innovation/Imitation"
    audit = project.execute(
        "SELECT entity_id, before, after FROM audit WHERE action = 'codebook.load' AND entity = 'codes'"
        " AND before IS NOT NULL ORDER BY id"
    ).fetchall()
    renamed = next(json.loads(r["after"]) for r in audit if r["entity_id"] == adoption)
    assert renamed["name"] == "Adoption of practice"
    assert json.loads(next(r["before"] for r in audit if r["entity_id"] == adoption))["name"] == "Adoption"


def test_removed_code_with_codings_is_kept_and_prune_removes_only_unused(project, tmp_path):
    load.load_codebook(project, write(tmp_path, MINI))
    document = add_document(project)
    leadership = code_id(project, LEADERSHIP)
    add_coding(project, document, leadership, "ana")
    add_coding(project, document, leadership, "ana", 20, 30)
    without_context_children = MINI.split("    children:\n      - id: 55555555")[0]
    report = load.load_codebook(project, write(tmp_path, without_context_children, "cut.yaml"), prune=True)
    assert [(k.path, k.codings) for k in report.kept] == [("Context/Leadership", 2)]
    assert report.removed == ["Context/Culture"]
    assert code_id(project, CULTURE) is None
    assert project.scalar("SELECT count(*) FROM codings WHERE code_id = ?", (leadership,)) == 2
    assert tree.code_path(project, leadership) == "Context/Leadership"


def test_codes_without_ids_match_existing_codes_by_place(project, tmp_path):
    parent = edit.create_code(project, "Innovation", codable=False)
    adoption = edit.create_code(project, "adoption", parent_id=parent)
    document = add_document(project)
    add_coding(project, document, adoption, "ana")
    report = load.load_codebook(project, write(tmp_path, MINI))
    assert (report.added, report.updated) == (4, 2)
    assert code_id(project, ADOPTION) == adoption  # the file's id is adopted, the codings stay
    assert tree.code_path(project, adoption) == "Innovation/Adoption"
    assert report.kept == []


def test_siblings_can_trade_names(project, tmp_path):
    load.load_codebook(project, write(tmp_path, MINI))
    swapped = MINI.replace("name: Leadership", "name: TMP").replace("name: Culture", "name: Leadership")
    swapped = swapped.replace("name: TMP", "name: Culture")
    report = load.load_codebook(project, write(tmp_path, swapped, "swapped.yaml"))
    assert report.updated == 2
    assert tree.code_path(project, code_id(project, LEADERSHIP)) == "Context/Culture"
    assert tree.code_path(project, code_id(project, CULTURE)) == "Context/Leadership"


def test_a_file_code_colliding_with_a_kept_code_is_refused(project, tmp_path):
    load.load_codebook(project, write(tmp_path, MINI))
    before = snapshot(project)
    # Culture is renamed Leadership while the project's Leadership (absent from the file) stays.
    clash = MINI.replace(
        """      - id: 55555555-5555-4555-8555-555555555555
        name: Leadership
""",
        "",
    ).replace("name: Culture", "name: Leadership")
    with pytest.raises(BeaconError) as info:
        load.load_codebook(project, write(tmp_path, clash, "clash.yaml"))
    assert info.value.message == (
        f"clash.yaml:21: code 'Context/Leadership' (id {CULTURE}) would sit beside a different project code "
        f"'Context/Leadership' (id {LEADERSHIP}) that the file does not contain; rename one of them or give "
        "the file that code's id"
    )
    assert snapshot(project) == before
    # Simple sibling renames that keep every code in the file go through.
    load.load_codebook(project, write(tmp_path, MINI.replace("name: Culture", "name: Values"), "ok.yaml"))
    assert tree.code_path(project, code_id(project, CULTURE)) == "Context/Values"


# -- export ------------------------------------------------------------------------------------------------


def test_export_round_trips(project, tmp_path):
    load.load_codebook(project, SHIPPED)
    edit.create_code(
        project,
        'Tricky: "quotes", #hash',
        parent_id=tree.resolve_code(project, "Context"),
        description="Two lines\nof text.",
        keywords=["yes", "null", "1.0"],
    )
    exported = yamlfile.export_codebook(project)
    again = yamlfile.parse_codebook_text(exported, "export.yaml")
    original = yamlfile.parse_codebook(SHIPPED)
    shipped_paths = [p for p, _ in original.walk()]
    assert [p for p, _ in again.walk() if p in shipped_paths] == shipped_paths
    assert all(again.find(p) == spec for p, spec in original.walk() if not spec.children)
    tricky = again.find('Context/Tricky: "quotes", #hash')
    assert (tricky.description, tricky.keywords) == ("Two lines\nof text.", ["yes", "null", "1.0"])
    report = load.load_codebook(project, write(tmp_path, exported, "export.yaml"))
    assert (report.added, report.updated, report.moved) == (0, 0, 0)
    assert report.unchanged == project.scalar("SELECT count(*) FROM codes")
    assert yamlfile.export_codebook(project) == exported
    assert (
        yaml.safe_load(exported)["version"] == yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))["version"]
    )


def test_export_of_a_hand_edited_tree_reloads_unchanged(project, tmp_path):
    load.load_codebook(project, write(tmp_path, MINI))
    adoption = code_id(project, ADOPTION)
    context = code_id(project, "44444444-4444-4444-8444-444444444444")
    moved = edit.update_code(project, adoption, parent_id=context)
    assert moved.sort_order == 2  # after Leadership (0) and Culture (1); Adaptation keeps 1 under Innovation
    assert [c.path for c in tree.all_codes(project)] == [
        "Innovation",
        "Innovation/Adaptation",
        "Context",
        "Context/Leadership",
        "Context/Culture",
        "Context/Adoption",
    ]
    exported = yamlfile.export_codebook(project)
    report = load.load_codebook(project, write(tmp_path, exported, "export.yaml"))
    assert (report.added, report.updated, report.moved, report.unchanged) == (0, 0, 0, 6)
    assert yamlfile.export_codebook(project) == exported


# -- the tree, paths and references -------------------------------------------------------------------------


def test_code_tree_counts_by_document_and_coder(project, tmp_path):
    load.load_codebook(project, write(tmp_path, MINI))
    doc1, doc2 = add_document(project, "a.txt"), add_document(project, "b.txt")
    adoption, adaptation = code_id(project, ADOPTION), code_id(project, ADAPTATION)
    add_coding(project, doc1, adoption, "ana")
    add_coding(project, doc1, adaptation, "ana")
    add_coding(project, doc2, adaptation, "ben")
    add_coding(project, doc2, adaptation, "ben", 20, 40)

    def counts(**kw):
        roots = tree.code_tree(project, **kw)
        innovation = roots[0]
        return innovation.total, [(c.name, c.count) for c in innovation.children], roots[1].total

    assert counts() == (4, [("Adoption", 1), ("Adaptation", 3)], 0)
    assert counts(document_id=doc2) == (2, [("Adoption", 0), ("Adaptation", 2)], 0)
    assert counts(coder="ana") == (2, [("Adoption", 1), ("Adaptation", 1)], 0)
    assert counts(document_id=doc1, coder="ben") == (0, [("Adoption", 0), ("Adaptation", 0)], 0)
    with pytest.raises(BeaconError, match="no coder called 'zoe'"):
        tree.code_tree(project, coder="zoe")


def test_resolve_code_accepts_paths_names_ids_and_uuids(project, tmp_path):
    load.load_codebook(project, SHIPPED)
    adaptation = tree.resolve_code(project, "Innovation/Learning to innovate/Adaptation")
    assert tree.code_path(project, adaptation) == "Innovation/Learning to innovate/Adaptation"
    for ref in (
        "innovation / learning to innovate / adaptation",
        "Learning to innovate/Adaptation",
        "ADAPTATION",
        str(adaptation),
        adaptation,
        tree.get_code(project, adaptation).uuid.upper(),
    ):
        assert tree.resolve_code(project, ref) == adaptation, ref


def test_resolve_code_reports_ambiguity_and_near_misses(project):
    load.load_codebook(project, SHIPPED)
    barriers = tree.resolve_code(project, "Barriers to learning")
    edit.create_code(project, "Leadership", parent_id=barriers)
    with pytest.raises(BeaconError) as info:
        tree.resolve_code(project, "leadership")
    assert info.value.message == (
        "code name 'leadership' is ambiguous: 2 codes match; give the full path or the id"
    )
    assert sorted(d.split(": ", 1)[1] for d in info.value.details) == [
        "Barriers to learning/Leadership",
        "Context/Leadership",
    ]
    with pytest.raises(BeaconError) as info:
        tree.resolve_code(project, "Reinvension")
    assert info.value.message == "no code 'Reinvension' in this project"
    assert "did you mean: Innovation/Learning to innovate/Reinvention" in info.value.details
    with pytest.raises(BeaconError, match="no code with id 9999"):
        tree.resolve_code(project, 9999)


def test_create_and_update_codes_validate_and_audit(project):
    context = edit.create_code(project, "Context", codable=False)
    leadership = edit.create_code(project, "Leadership", parent_id=context, keywords=["leader"])
    assert tree.get_code(project, leadership).colour == tree.PALETTE[0]
    culture = edit.create_code(project, "Culture", parent_id=context)
    assert tree.get_code(project, culture).colour == tree.PALETTE[1]
    with pytest.raises(BeaconError, match="a code called 'leadership' already exists under 'Context'"):
        edit.create_code(project, "leadership", parent_id=context)
    with pytest.raises(BeaconError, match="contains '/'"):
        edit.create_code(project, "Politics/parties", parent_id=context)
    with pytest.raises(BeaconError, match="is not #RRGGBB"):
        edit.create_code(project, "Politics", parent_id=context, colour="blue")
    with pytest.raises(BeaconError, match="under itself or one of its own subcodes"):
        edit.update_code(project, context, parent_id=leadership)
    with pytest.raises(BeaconError, match="a code called 'Culture' already exists"):
        edit.update_code(project, leadership, name="Culture")
    updated = edit.update_code(
        project, leadership, name="Political leadership", keywords=["leader", "cabinet"]
    )
    assert (updated.path, updated.keywords) == ("Context/Political leadership", ("leader", "cabinet"))
    actions = [r[0] for r in project.execute("SELECT action FROM audit WHERE entity = 'codes' ORDER BY id")]
    assert actions == ["code.create", "code.create", "code.create", "code.update"]
    paths = [c.path for c in tree.all_codes(project)]
    assert paths == ["Context", "Context/Political leadership", "Context/Culture"]


# -- command line --------------------------------------------------------------------------------------------


def run(tmp_path: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(tmp_path / "cli.db"), *args])


def test_cli_load_show_export(tmp_path):
    assert run(tmp_path, "init").exit_code == 0
    result = run(tmp_path, "codebook", "load", str(write(tmp_path, MINI)))
    assert result.exit_code == 0, result.output
    assert result.output == "loaded codebook 'Mini' version 1: 6 added, 0 updated, 0 moved, 0 unchanged\n"

    project = Project.open(tmp_path / "cli.db")
    document = add_document(project, "interview.txt")
    add_coding(project, document, code_id(project, ADAPTATION), "ana")
    add_coding(project, document, code_id(project, ADAPTATION), "ben", 20, 30)
    project.close()

    shown = run(tmp_path, "codebook", "show", "--document", "interview.txt", "--coder", "ben")
    assert shown.exit_code == 0, shown.output
    lines = [line.split() for line in shown.output.splitlines()]
    assert lines[0] == ["Innovation", "[group]", "0", "(1", "with", "subcodes)"]
    assert lines[2] == ["Adaptation", "1"]

    out = tmp_path / "exported.yaml"
    exported = run(tmp_path, "codebook", "export", "--format", "yaml", "-o", str(out))
    assert exported.exit_code == 0 and out.exists()
    assert run(tmp_path, "codebook", "export").output == out.read_text(encoding="utf-8")
    cut = MINI.split("  - id: 44444444")[0]
    reloaded = run(tmp_path, "codebook", "load", str(write(tmp_path, cut, "cut.yaml")))
    assert "kept: Context/Leadership (not in the file; no codings)" in reloaded.output


def test_cli_invalid_codebook_is_one_line_and_exit_1(tmp_path):
    run(tmp_path, "init")
    result = run(tmp_path, "codebook", "load", str(INVALID / "bad_colour.yaml"))
    assert result.exit_code == 1
    assert result.output == "error: bad_colour.yaml:6: colour '#FFD75' of code 'Innovation' is not #RRGGBB\n"
    assert "Traceback" not in result.output
    missing = run(tmp_path, "codebook", "show", "--document", "nothing.txt")
    assert missing.exit_code == 1 and missing.output.startswith("error: no document 'nothing.txt'")
