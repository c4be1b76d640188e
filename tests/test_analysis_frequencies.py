"""Code frequencies: plain, rolled up, grouped, filtered; every export format read back; provenance;
formula neutralisation; the wide council-by-code matrix joined with survey measures.

Expected numbers are counted by hand from the codings listed in builders.py (ANALYSIS).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import subprocess
import sys

import pytest
from builders import ADAPTATION, BARRIERS, IMITATION, INNOVATION, LEARNING
from click.testing import CliRunner

from beacon_qual.analysis.frequencies import frequencies
from beacon_qual.analysis.provenance import provenance, state_identity
from beacon_qual.analysis.selection import Filters
from beacon_qual.analysis.wide import safe_names, wide_matrix
from beacon_qual.cli import main
from beacon_qual.errors import BeaconError


def table(result) -> dict:
    return {(row.code, *row.group): (row.codings, row.documents, row.councils) for row in result.rows}


def run(project, *args):
    return CliRunner().invoke(main, ["--project", str(project.path), *args], catch_exceptions=False)


def test_plain_counts_codings_documents_and_councils(analysis_project):
    assert table(frequencies(analysis_project)) == {
        (INNOVATION,): (0, 0, 0),  # nothing is coded with the parent itself
        (LEARNING,): (2, 2, 2),  # c6 (a2, AAA), c12 (c2, CCC)
        (ADAPTATION,): (6, 5, 4),  # c2 c5 c10 c14 c15 c16; docs 1 2 4 6 7; AAA BBB CCC DDD
        (IMITATION,): (5, 3, 3),  # c1 c4 c7 c8 c17; docs 1 3 7; AAA BBB DDD
        (BARRIERS,): (4, 4, 3),  # c3 c9 c11 c13; docs 1 3 4 5; AAA BBB CCC
    }


def test_rollup_counts_each_passage_once_for_each_ancestor(analysis_project):
    counts = table(frequencies(analysis_project, rollup=True))
    # Learning: c6 and c5 share document 2's span [42,62) by alice, so 2 + 6 codings make 7 passages.
    assert counts[(LEARNING,)] == (7, 6, 4)
    # Innovation: 13 codings below it; c5/c6 are one passage -> 12; documents 1-7; all four councils.
    assert counts[(INNOVATION,)] == (12, 7, 4)
    assert counts[(ADAPTATION,)] == (6, 5, 4)
    assert counts[(BARRIERS,)] == (4, 4, 3)


def test_grouped_by_phase(analysis_project):
    counts = table(frequencies(analysis_project, by=("phase",)))
    assert counts == {
        (LEARNING, 2): (2, 2, 2),
        (ADAPTATION, 1): (1, 1, 1),
        (ADAPTATION, 2): (1, 1, 1),
        (ADAPTATION, 3): (4, 3, 3),  # c10 c14 c15 c16 in documents 4, 6, 7
        (IMITATION, 1): (4, 2, 2),
        (IMITATION, 3): (1, 1, 1),
        (BARRIERS, 1): (2, 2, 2),
        (BARRIERS, 2): (1, 1, 1),
        (BARRIERS, 3): (1, 1, 1),
    }


def test_grouped_by_role_and_coder(analysis_project):
    counts = table(frequencies(analysis_project, by=("role", "coder")))
    assert counts[(IMITATION, "officer", "alice")] == (3, 2, 2)  # c1, c7, c8
    assert counts[(IMITATION, "officer", "bob")] == (1, 1, 1)  # c4
    assert counts[(ADAPTATION, "partner", "bob")] == (1, 1, 1)  # c10
    assert (IMITATION, "partner", "bob") not in counts


def test_grouped_by_council_labels_code_and_name(analysis_project):
    result = frequencies(analysis_project, by=("council",), filters=Filters(codes=(IMITATION,)))
    assert [(row.group, row.codings) for row in result.rows] == [
        ((("AAA", "Aville"),), 2),
        ((("BBB", "Bton"),), 2),
        ((("DDD", "Dham"),), 1),
    ]


def test_grouped_by_wave_follows_phase(analysis_project):
    for args in (["1", "--phase", "1", "--phase", "2"], ["2", "--phase", "3"]):
        result = CliRunner().invoke(main, ["-p", str(analysis_project.path), "survey", "waves", "set", *args])
        assert result.exit_code == 0, result.output
    counts = table(frequencies(analysis_project, by=("wave",), filters=Filters(codes=(ADAPTATION,))))
    assert counts == {(ADAPTATION, 1): (2, 2, 1), (ADAPTATION, 2): (4, 3, 3)}


def test_filters_role_coder_council_and_wave(analysis_project):
    officers = table(frequencies(analysis_project, Filters(roles=("Officer",))))
    assert officers[(IMITATION,)] == (4, 2, 2)  # c1 c4 c7 c8
    assert officers[(ADAPTATION,)] == (3, 2, 2)  # c2 c14 c15
    assert officers[(BARRIERS,)] == (3, 3, 3)  # c3 c9 c13
    bob = table(frequencies(analysis_project, Filters(coders=("bob",))))
    assert bob[(BARRIERS,)] == (2, 2, 1)  # c9 and c11, both in BBB
    assert bob[(ADAPTATION,)] == (2, 2, 2)  # c10 (BBB), c15 (CCC)
    ccc = table(frequencies(analysis_project, Filters(councils=("Cford",), phases=(3,))))
    assert ccc[(ADAPTATION,)] == (2, 1, 1) and ccc[(BARRIERS,)] == (0, 0, 0)
    wave3 = table(frequencies(analysis_project, Filters(waves=(3,))))
    assert wave3[(ADAPTATION,)] == (4, 3, 3)


def test_code_filter_with_rollup_reports_only_that_code(analysis_project):
    result = frequencies(analysis_project, Filters(codes=(LEARNING,)), rollup=True)
    assert table(result) == {(LEARNING,): (7, 6, 4)}


@pytest.mark.parametrize(
    "filters, message",
    [
        (Filters(roles=("mayor",)), "no documents with role 'mayor'"),
        (Filters(phases=(7,)), "no documents in phase 7"),
        (Filters(coders=("carol",)), "no coder called 'carol'"),
        (Filters(councils=("Zed",)), "no council matches 'Zed'"),
        (Filters(codes=("Nothing/Here",)), "no code 'Nothing/Here'"),
    ],
)
def test_unknown_filter_values_are_named(analysis_project, filters, message):
    with pytest.raises(BeaconError, match=message):
        frequencies(analysis_project, filters)


def test_csv_export_reads_back_with_provenance_sidecar(analysis_project, tmp_path):
    out = tmp_path / "freq.csv"
    result = run(
        analysis_project,
        "export",
        "frequencies",
        "--by",
        "phase",
        "--role",
        "officer",
        "--file-hash",
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[0].keys() == {"code", "phase", "codings", "documents", "councils"}
    got = {(r["code"], r["phase"]): (r["codings"], r["documents"], r["councils"]) for r in rows}
    assert got[(IMITATION, "1")] == ("4", "2", "2")  # c1 c4 (a1), c7 c8 (b1)
    assert got[(ADAPTATION, "3")] == ("2", "1", "1")  # c14 c15 in c3.txt
    sidecar = json.loads((tmp_path / "freq.csv.provenance.json").read_text())
    analysis_project.execute("PRAGMA wal_checkpoint(FULL)")
    assert sidecar["project_sha256"] == hashlib.sha256(analysis_project.path.read_bytes()).hexdigest()
    assert sidecar["project_state"] == state_identity(analysis_project)
    assert sidecar["codebook_version"] == "test-1"
    assert sidecar["filters"] == {"roles": ["officer"]}
    assert sidecar["coders"] == ["alice", "bob"]
    assert sidecar["version"] and sidecar["created_at"] and sidecar["options"]["by"] == ["phase"]


def test_provenance_says_when_recent_changes_are_not_yet_in_the_file(analysis_project):
    reader = sqlite3.connect(analysis_project.path)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM codings").fetchone()  # holds an older snapshot
    analysis_project.set_meta("codebook_version", "test-2")
    analysis_project.provenance_file_hash = True
    record = provenance(analysis_project, "frequencies", filters={}, coders=[])
    assert record["codebook_version"] == "test-2"
    assert "recent changes were still in the log" in record["project_sha256_note"]
    reader.rollback()
    reader.close()
    assert "project_sha256_note" not in provenance(analysis_project, "frequencies", filters={}, coders=[])


def test_json_export_starts_with_provenance(analysis_project):
    result = run(analysis_project, "export", "frequencies", "--format", "json", "--coder", "bob", "--rollup")
    data = json.loads(result.output)
    assert next(iter(data)) == "provenance"
    assert data["provenance"]["coders"] == ["bob"] and data["provenance"]["options"]["rollup"] is True
    by_code = {r["code"]: r for r in data["frequencies"]}
    # bob: c4 (Imitation), c10 and c15 (Adaptation) -> 3 passages under Innovation, in documents 1, 4, 6.
    assert by_code[INNOVATION] == {"code": INNOVATION, "codings": 3, "documents": 3, "councils": 3}


def test_markdown_export_starts_with_provenance_and_has_a_table(analysis_project):
    text = run(analysis_project, "export", "frequencies", "--format", "markdown").output
    lines = text.splitlines()
    assert lines[0] == "# Code frequencies" and "## Provenance" in lines[:4]
    assert "- codebook version: test-1" in lines
    assert f"| {ADAPTATION} | 6 | 5 | 4 |" in lines


def test_csv_on_screen_prints_provenance_on_stderr(analysis_project):
    result = CliRunner().invoke(main, ["--project", str(analysis_project.path), "export", "frequencies"])
    assert result.exit_code == 0
    assert "provenance: {" in result.stderr
    assert result.stdout.splitlines()[0] == "code,codings,documents,councils"


# -- wide --------------------------------------------------------------------------------------------------
def test_wide_presence_matrix(analysis_project):
    matrix, coders = wide_matrix(analysis_project)
    assert matrix.columns == [
        "council",
        "council_name",
        "innovation",
        "learning_to_innovate",
        "adaptation",
        "imitation",
        "barriers",
    ]
    # DDD counts although its d1.txt was never coded; EEE has no documents and is not a row.
    assert matrix.rows == [
        ["AAA", "Aville", 0, 1, 1, 1, 1],
        ["BBB", "Bton", 0, 0, 1, 1, 1],
        ["CCC", "Cford", 0, 1, 1, 0, 1],
        ["DDD", "Dham", 0, 0, 1, 1, 0],
    ]
    assert coders == ["alice", "bob"]
    assert matrix.dictionary["learning_to_innovate"] == LEARNING


def test_wide_counts_with_rollup(analysis_project):
    matrix, _ = wide_matrix(analysis_project, counts=True, rollup=True)
    # Innovation: AAA c1 c2 c4 c5/c6 = 4; BBB c7 c8 c10 = 3; CCC c12 c14 c15 = 3; DDD c16 c17 = 2.
    assert [row[2:] for row in matrix.rows] == [
        [4, 2, 2, 2, 1],
        [3, 1, 1, 2, 2],
        [3, 3, 2, 0, 1],
        [2, 1, 1, 1, 0],
    ]


def test_wide_csv_joined_with_survey_reads_back(analysis_project, tmp_path):
    out = tmp_path / "wide.csv"
    result = run(
        analysis_project,
        "export",
        "frequencies",
        "--format",
        "wide",
        "--counts",
        "--with-survey",
        "innovation_score,region_type",
        "--wave",
        "1",
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0][-2:] == ["innovation_score", "region_type"]
    assert rows[1] == ["AAA", "Aville", "0", "1", "2", "2", "1", "10", "urban"]
    columns = json.loads((tmp_path / "wide.csv.provenance.json").read_text())["columns"]
    assert columns["innovation_score"].startswith("survey: innovation_score, wave 1, numeric")


def test_wide_all_measures_every_wave(analysis_project):
    matrix, _ = wide_matrix(analysis_project, survey=("all",))
    assert matrix.columns[7:] == [
        "beacon_w1",
        "innovation_score_w1",
        "innovation_score_w2",
        "region_type_w1",
        "satisfaction_w1",
    ]
    # Ordinal measures are their level index (0 = Low), booleans 0/1.
    assert matrix.rows[0][7:] == [1.0, 10.0, -5.0, "urban", 0.0]
    assert "0 = Low, 1 = Medium, 2 = High" in matrix.dictionary["satisfaction_w1"]


def test_formulas_are_neutralised_but_negative_numbers_stay(analysis_project, tmp_path):
    analysis_project.execute("UPDATE cases SET name = '=HYPERLINK(\"http://x\")' WHERE code = 'AAA'")
    analysis_project.execute("UPDATE cases SET name = '-2+3' WHERE code = 'BBB'")
    analysis_project.execute("UPDATE cases SET name = '@SUM(A1)' WHERE code = 'CCC'")
    out = tmp_path / "wide.csv"
    run(
        analysis_project,
        "export",
        "frequencies",
        "--format",
        "wide",
        "--with-survey",
        "innovation_score",
        "--wave",
        "2",
        "-o",
        str(out),
    )
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[1][1] == '\'=HYPERLINK("http://x")'
    assert rows[2][1] == "'-2+3"
    assert rows[3][1] == "'@SUM(A1)"
    assert rows[1][-1] == "-5"  # a real negative number in a numeric column stays a number


def test_safe_names_for_r_stata_and_spss():
    names = safe_names(
        [
            ["A", "Adaptation"],
            ["B", "Adaptation"],
            ["Learning to innovate"],
            ["if"],
            ["2020 plans"],
            ["Very long code name that goes well past the Stata limit"],
            ["Café & co."],
        ],
        {"council"},
    )
    assert names == [
        "a_adaptation",
        "b_adaptation",
        "learning_to_innovate",
        "if_",
        "v_2020_plans",
        "very_long_code_name_that_goes_we",
        "caf_co",
    ]
    assert all(len(n) <= 32 and n[0].isalpha() for n in names)
    assert safe_names([["council"]], {"council"}) == ["council_2"]


# -- command-line errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args, message",
    [
        (["--code", "Nope"], "error: no code 'Nope' in this project"),
        (["--council", "Atlantis"], "error: no council matches 'Atlantis'"),
        (["--role", "mayor"], "error: no documents with role 'mayor' (roles: member, officer, partner)"),
        (["--counts"], "error: --counts, --with-survey and --wave apply to --format wide"),
        (["--format", "wide", "--with-survey", "nothing"], "error: no survey variable 'nothing'"),
        (["--format", "wide", "--by", "phase"], "error: --by does not apply to --format wide"),
    ],
)
def test_cli_errors_are_one_line(analysis_project, args, message):
    result = CliRunner().invoke(
        main, ["--project", str(analysis_project.path), "export", "frequencies", *args]
    )
    assert result.exit_code == 1
    assert result.output.splitlines()[0].startswith(message)
    assert "Traceback" not in result.output


def test_unwritable_output_leaves_nothing(analysis_project, tmp_path):
    out = tmp_path / "missing" / "freq.csv"
    result = CliRunner().invoke(
        main, ["--project", str(analysis_project.path), "export", "frequencies", "-o", str(out)]
    )
    assert result.exit_code == 1 and "does not exist" in result.output
    assert not (tmp_path / "missing").exists()


def test_csv_cells_keep_their_types():
    from beacon_qual.analysis.output import Table, to_csv

    rows = [["-x", -1.5], ["+1+2", 2.0], ["\tTab", None], ["+1", "-0.75"]]
    text = to_csv(Table("t", "t", ["name", "value"], rows))
    assert list(csv.reader(io.StringIO(text))) == [
        ["name", "value"],
        ["'-x", "-1.5"],
        ["'+1+2", "2"],
        ["'\tTab", ""],
        ["+1", "-0.75"],  # text that is only a number runs nothing in a spreadsheet: kept as it is
    ]


def test_analyses_list_codes_in_the_codebook_order_and_paths(analysis_project):
    """The analyses read the code tree themselves; it must list what the codebook lists, in its order."""
    from beacon_qual.codebook.tree import all_codes, load_code_tree
    from beacon_qual.store import new_uuid, now

    with analysis_project.transaction():
        for parent, name, order in ((None, "Aardvark", 1), (5, "Zed", 0), (5, "Alpha", 0), (2, "Deep", -1)):
            analysis_project.execute(
                "INSERT INTO codes(uuid, parent_id, name, sort_order, created_at) VALUES (?,?,?,?,?)",
                (new_uuid(), parent, name, order, now()),
            )
    tree = load_code_tree(analysis_project)
    codes = all_codes(analysis_project)
    assert tree.order == [code.id for code in codes]
    assert [tree.path[i] for i in tree.order] == [code.path for code in codes]
    assert tree.parent == {code.id: code.parent_id for code in codes}
    # siblings by sort order, then by id: Deep (-1) before Adaptation, Zed before Alpha, Aardvark last
    assert tree.order == [1, 2, 9, 3, 4, 5, 7, 8, 6]
    assert tree.path[9] == "Innovation/Learning to innovate/Deep" and tree.path[8] == "Barriers/Alpha"
    assert tree.descendants(2) == [2, 9, 3]


@pytest.mark.parametrize(
    "ref",
    [
        "Adaptation",
        "adaptation",
        " Innovation / Imitation ",
        "Innovation/Learning to innovate",
        "learning to innovate/adaptation",
        "Barriers",
        "3",
        "Imitation/",
        "Nope",
        "Innovation/Adaptation",
        "Twice",
    ],
)
def test_analyses_resolve_codes_as_the_codebook_does(analysis_project, ref):
    from beacon_qual.codebook.tree import load_code_tree, resolve_code
    from beacon_qual.store import new_uuid, now

    with analysis_project.transaction():
        for parent in (1, 5):  # "Twice" is ambiguous
            analysis_project.execute(
                "INSERT INTO codes(uuid, parent_id, name, sort_order, created_at) VALUES (?,?,?,?,?)",
                (new_uuid(), parent, "Twice", 3, now()),
            )
    tree = load_code_tree(analysis_project)
    try:
        expected = resolve_code(analysis_project, ref)
    except BeaconError as exc:
        with pytest.raises(BeaconError) as raised:
            tree.resolve(ref)
        assert (raised.value.message, raised.value.details) == (exc.message, exc.details)
    else:
        assert tree.resolve(ref) == expected
    uuid = analysis_project.one("SELECT uuid FROM codes WHERE id = 4")[0]
    assert tree.resolve(uuid.upper()) == resolve_code(analysis_project, uuid.upper()) == 4


@pytest.mark.parametrize(
    "by", [(), ("phase",), ("council",), ("document",), ("role", "wave"), ("phase", "role")]
)
@pytest.mark.parametrize(
    "filters",
    [Filters(), Filters(phases=(2,)), Filters(codes=(LEARNING, IMITATION)), Filters(roles=("officer",))],
)
def test_counts_over_all_coders_equal_the_counts_coder_by_coder(analysis_project, by, filters):
    # Over all coders without roll-up the counts come from the (code, document) index first; naming every
    # coder takes the path that joins each coding to its document. Both must give the same table.
    everyone = tuple(r[0] for r in analysis_project.execute("SELECT name FROM coders"))
    assert len(everyone) > 1
    named = Filters(**{**filters.__dict__, "coders": everyone})
    fast, joined = frequencies(analysis_project, filters, by=by), frequencies(analysis_project, named, by=by)
    assert any(row.codings for row in fast.rows)
    assert table(fast) == table(joined)


def test_export_frequencies_starts_without_the_numeric_and_matching_libraries(analysis_project):
    """A fresh `export frequencies --by document` loads neither numpy, scipy nor rapidfuzz: their import alone
    would be a large share of the command's time on a big project, and it uses none of them."""
    code = (
        "import sys; from beacon_qual.cli import main; main.main(sys.argv[1:], standalone_mode=False); "
        "print(sorted(m for m in ('numpy', 'scipy', 'rapidfuzz') if m in sys.modules), file=sys.stderr)"
    )
    args = ["--project", str(analysis_project.path), "export", "frequencies", "--by", "document"]
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("code,document,codings,documents,councils\n")
    assert done.stderr.strip().splitlines()[-1] == "[]"
