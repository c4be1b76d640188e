"""REFI-QDA exchange: .qdc and .qdpx export (schema-valid), import of what other tools write, round trips,
offset mapping for CRLF/BOM texts, and refusal of unsafe archives without touching the project."""

from __future__ import annotations

import hashlib
import io
import json
import stat
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import xmlschema
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beacon_qual.cases.councils import seed_cases
from beacon_qual.cli import main
from beacon_qual.errors import BeaconError
from beacon_qual.exchange import (
    export_codebook,
    export_project,
    import_qdc,
    import_qdpx,
    import_refi,
    read_qdpx,
)
from beacon_qual.exchange.labelled import compose, decompose
from beacon_qual.exchange.textmap import READINGS, Reading, choose_reading, normalise
from beacon_qual.store import Project, new_uuid, now
from beacon_qual.text.safezip import Limits

DATA = Path(__file__).resolve().parent / "data" / "refi"
SCHEMAS = DATA / "schemas"  # the REFI-QDA 1.5 schemas, shipped with the tests (MIT, see the README there)

KENT_TEXT = "Officer: We visited \U0001f600 Essex.\nMember: Then \U0001d11e we adapted their forms.\n"
HULL_TEXT = "Partner: Hull learnt from Leeds.\n"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


# -- a project built in SQL, holding one of everything ----------------------------------------------------
def insert(p: Project, table: str, **row) -> int:
    cols = ", ".join(row)
    return p.execute(
        f"INSERT INTO {table}({cols}) VALUES ({', '.join('?' * len(row))})", list(row.values())
    ).lastrowid


def build_rich(path: Path) -> Project:
    p = Project.create(path)
    with p.transaction():
        alice = insert(p, "coders", uuid=new_uuid(), name="alice", created_at=now())
        bob = insert(p, "coders", uuid=new_uuid(), name="bob", created_at=now())
        learning = insert(
            p,
            "codes",
            uuid=new_uuid(),
            name="Learning",
            codable=0,
            colour="#112233",
            sort_order=0,
            description="Knowledge moving between councils.\r\nSecond line.",
            inclusion="names another council",
            exclusion="learning inside one council",
            example='"We borrowed it" (invented)',
            keywords=json.dumps(["peer visit", "borrowed"]),
            created_at=now(),
        )
        visit = insert(
            p,
            "codes",
            uuid=new_uuid(),
            parent_id=learning,
            name="Peer visit",
            colour="#AABBCC",
            sort_order=0,
            created_at=now(),
        )
        adapt = insert(
            p, "codes", uuid=new_uuid(), parent_id=learning, name="Adaptation", sort_order=1, created_at=now()
        )
        insert(p, "codes", uuid=new_uuid(), name="Context", sort_order=1, created_at=now())
        kent = insert(
            p,
            "cases",
            uuid=new_uuid(),
            code="KEN",
            gss_code="E10000016",
            name="Kent County Council",
            short_name="Kent",
            type="county",
            region="South East",
            created_at=now(),
        )
        hull = insert(p, "cases", uuid=new_uuid(), name="Hull City Council", created_at=now())
        doc1 = insert(
            p,
            "documents",
            uuid=new_uuid(),
            name="kent_officer_p2.txt",
            text=KENT_TEXT,
            sha256=sha(KENT_TEXT),
            case_id=kent,
            phase=2,
            role="officer",
            interview_date="2008-05-01",
            interviewer="JB",
            respondent="Officer A",
            word_count=12,
            imported_at=now(),
        )
        doc2 = insert(
            p,
            "documents",
            uuid=new_uuid(),
            name="hull_partner.txt",
            text=HULL_TEXT,
            sha256=sha(HULL_TEXT),
            word_count=5,
            imported_at=now(),
        )
        essex = KENT_TEXT.index("Essex.")
        forms = KENT_TEXT.index("we adapted their forms")
        c1 = insert(
            p,
            "codings",
            uuid=new_uuid(),
            document_id=doc1,
            code_id=visit,
            coder_id=alice,
            start=essex,
            end=essex + 6,
            memo="the county visited Essex",
            created_at=now(),
        )
        insert(
            p,
            "codings",
            uuid=new_uuid(),
            document_id=doc1,
            code_id=visit,
            coder_id=bob,
            start=essex,
            end=essex + 6,
            created_at=now(),
        )
        insert(
            p,
            "codings",
            uuid=new_uuid(),
            document_id=doc1,
            code_id=adapt,
            coder_id=bob,
            start=forms,
            end=forms + 22,
            status="review",
            created_at=now(),
        )
        insert(
            p,
            "codings",
            uuid=new_uuid(),
            document_id=doc2,
            code_id=visit,
            coder_id=alice,
            start=9,
            end=13,
            created_at=now(),
        )
        for target_type, target_id, title, text in [
            ("project", None, "Diary", "Started coding.\nSecond entry."),
            ("document", doc1, None, "A good interview"),
            ("code", visit, "Rule", "Only named visits"),
            ("case", hull, None, "Hull joined late"),
            ("coding", c1, "Why", "Essex is the model"),
        ]:
            insert(
                p,
                "memos",
                uuid=new_uuid(),
                target_type=target_type,
                target_id=target_id,
                coder_id=alice,
                title=title,
                text=text,
                created_at=now(),
            )
        score = insert(
            p,
            "variables",
            uuid=new_uuid(),
            name="improvement",
            type="numeric",
            label="Score",
            source="survey:waves.csv",
        )
        culture = insert(
            p,
            "variables",
            uuid=new_uuid(),
            name="learning_culture",
            type="ordinal",
            levels=json.dumps(["Disagree", "Neutral", "Agree"]),
            source="survey:waves.csv",
        )
        status = insert(
            p,
            "variables",
            uuid=new_uuid(),
            name="beacon_status",
            type="categorical",
            levels=json.dumps(["Beacon", "Applicant"]),
            source="survey:waves.csv",
        )
        visited = insert(
            p, "variables", uuid=new_uuid(), name="visited", type="boolean", source="survey:waves.csv"
        )
        returned = insert(
            p, "variables", uuid=new_uuid(), name="returned_on", type="date", source="survey:waves.csv"
        )
        for variable, case, wave, num, text in [
            (score, kent, 1, 3.5, None),
            (score, kent, 2, 0.1, None),
            (score, hull, 2, -2.0, None),
            (culture, kent, 1, 2.0, "Agree"),
            (status, hull, 1, None, "Applicant"),
            (visited, kent, 1, 1.0, "true"),
            (returned, hull, 1, None, "2008-06-30"),
        ]:
            insert(
                p,
                "case_values",
                variable_id=variable,
                case_id=case,
                wave=wave,
                value_num=num,
                value_text=text,
            )
    return p


def snapshot(p: Project) -> dict:
    """Everything the round trip must keep, keyed by uuid (or name) so that row ids may differ."""

    def uuid(table: str, row_id: int | None) -> str | None:
        return None if row_id is None else p.scalar(f"SELECT uuid FROM {table} WHERE id = ?", (row_id,))

    codes = p.execute("SELECT * FROM codes ORDER BY sort_order, id").fetchall()
    memo_tables = {"document": "documents", "code": "codes", "case": "cases", "coding": "codings"}
    return {
        "coders": {r["uuid"]: r["name"] for r in p.execute("SELECT * FROM coders")},
        "codes": {
            r["uuid"]: (
                uuid("codes", r["parent_id"]),
                r["name"],
                r["description"],
                r["inclusion"],
                r["exclusion"],
                r["example"],
                r["colour"],
                r["keywords"],
                r["codable"],
            )
            for r in codes
        },
        "code order": sorted(
            (uuid("codes", parent) or "", [r["uuid"] for r in codes if r["parent_id"] == parent])
            for parent in {r["parent_id"] for r in codes}
        ),
        "cases": {
            r["uuid"]: tuple(
                r[k] for k in ("name", "code", "gss_code", "ons_code", "short_name", "type", "region")
            )
            for r in p.execute("SELECT * FROM cases")
        },
        "documents": {
            r["uuid"]: (
                r["name"],
                r["text"],
                r["sha256"],
                uuid("cases", r["case_id"]),
                r["phase"],
                r["role"],
                r["interview_date"],
                r["interviewer"],
                r["respondent"],
            )
            for r in p.execute("SELECT * FROM documents")
        },
        "codings": {
            r["uuid"]: (
                uuid("documents", r["document_id"]),
                uuid("codes", r["code_id"]),
                uuid("coders", r["coder_id"]),
                r["start"],
                r["end"],
                r["memo"],
            )
            for r in p.execute("SELECT * FROM codings")
        },
        "memos": {
            r["uuid"]: (
                r["target_type"],
                uuid(memo_tables[r["target_type"]], r["target_id"])
                if r["target_type"] in memo_tables
                else None,
                uuid("coders", r["coder_id"]),
                r["title"],
                r["text"],
            )
            for r in p.execute("SELECT * FROM memos")
        },
        "variables": {
            r["name"]: (r["type"], r["levels"], r["label"], r["source"])
            for r in p.execute("SELECT * FROM variables")
        },
        "case values": {
            (r["name"], uuid("cases", r["case_id"]), r["wave"]): (r["value_num"], r["value_text"])
            for r in p.execute(
                "SELECT v.name, cv.* FROM case_values cv JOIN variables v ON v.id = cv.variable_id"
            )
        },
    }


@pytest.fixture
def rich(tmp_path: Path) -> Project:
    p = build_rich(tmp_path / "rich.db")
    yield p
    p.close()


@pytest.fixture(scope="module")
def project_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "Project-mrt2019.xsd"))


@pytest.fixture(scope="module")
def codebook_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "Codebook.xsd"))


def qde_of(archive: Path) -> str:
    with zipfile.ZipFile(archive) as z:
        return z.read("project.qde").decode("utf-8")


NS = {"q": "urn:QDA-XML:project:1.0"}


# -- export ----------------------------------------------------------------------------------------------------
def test_exported_codebook_is_valid_and_nested(rich: Project, tmp_path: Path, codebook_schema) -> None:
    dest = tmp_path / "book.qdc"
    summary = export_codebook(rich, dest)
    codebook_schema.validate(str(dest))
    root = codebook_schema.to_dict(str(dest))
    top = root["Codes"]["Code"]
    assert [c["@name"] for c in top] == ["Learning", "Context"]
    learning = top[0]
    assert learning["@isCodable"] is False and learning["@color"] == "#112233"
    assert [c["@name"] for c in learning["Code"]] == ["Peer visit", "Adaptation"]
    assert "Inclusion: names another council" in learning["Description"]
    assert summary.counts["codes"] == 4
    assert any("memo(s) on codes" in line for line in summary.not_exported)


def test_exported_project_is_valid_with_texts_selections_waves_and_notes(
    rich: Project, tmp_path: Path, project_schema
) -> None:
    dest = tmp_path / "rich.qdpx"
    summary = export_project(rich, dest)
    qde = qde_of(dest)
    project_schema.validate(io.StringIO(qde))
    doc_uuid = rich.scalar("SELECT uuid FROM documents WHERE name = 'kent_officer_p2.txt'")
    with zipfile.ZipFile(dest) as z:
        assert z.read(f"sources/{doc_uuid}.txt") == KENT_TEXT.encode("utf-8")
        names = set(z.namelist())
    assert len(names) == 1 + 2 + 5  # project.qde, two texts, five memo notes
    root = ET.fromstring(qde)
    source = root.find(f"q:Sources/q:TextSource[@guid='{doc_uuid}']", NS)
    assert source.get("plainTextPath") == f"internal://{doc_uuid}.txt"
    assert "Phase: 2" in source.find("q:Description", NS).text
    selections = source.findall("q:PlainTextSelection", NS)
    essex = KENT_TEXT.index("Essex.")
    # code points, not UTF-16 units or bytes: the emoji before 'Essex' counts once
    assert essex == 22
    assert {(s.get("startPosition"), s.get("endPosition")) for s in selections} == {
        ("22", "28"),
        ("44", "66"),
    }
    assert KENT_TEXT[44:66] == "we adapted their forms"
    alice = rich.scalar("SELECT uuid FROM coders WHERE name = 'alice'")
    memo_selection = next(s for s in selections if s.find("q:Description", NS) is not None)
    assert memo_selection.find("q:Description", NS).text == "the county visited Essex"
    assert memo_selection.find("q:Coding", NS).get("creatingUser") == alice
    variables = [v.get("name") for v in root.findall("q:Variables/q:Variable", NS)]
    assert "improvement (wave 1)" in variables and "improvement (wave 2)" in variables
    assert "learning_culture" in variables and "visited" in variables
    link = root.find("q:Links/q:Link", NS)
    hull = rich.scalar("SELECT uuid FROM cases WHERE name = 'Hull City Council'")
    assert link.get("targetGUID") == hull
    assert summary.counts == {
        "coders": 2,
        "codes": 4,
        "variables": 6,
        "cases": 2,
        "case values": 7,
        "codings": 4,
        "documents": 2,
        "memos": 5,
    }
    assert any("marked for review" in line for line in summary.not_exported)


# -- round trips --------------------------------------------------------------------------------------------
def test_cli_round_trip_keeps_everything(rich: Project, tmp_path: Path) -> None:
    archive, copy = tmp_path / "out.qdpx", tmp_path / "copy.db"
    r = run("-p", rich.path, "export", "qdpx", archive)
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"wrote {archive}")
    r = run("-p", copy, "import-qdpx", archive)
    assert r.exit_code == 0, r.output
    assert "not carried over" not in r.output
    with Project.open(copy) as imported:
        assert snapshot(imported) == snapshot(rich)
        # imported documents get speaker turns and sentences like any transcript
        for kind in ("turn", "sentence"):
            assert (
                imported.scalar("SELECT count(DISTINCT document_id) FROM units WHERE kind = ?", (kind,)) == 2
            )
        assert imported.scalar("SELECT count(*) FROM audit WHERE action = 'import'") > 20
    again = run("-p", copy, "import-qdpx", archive)
    assert again.exit_code == 0
    with Project.open(copy) as imported:
        assert snapshot(imported) == snapshot(rich)  # a second import adds nothing
        assert imported.scalar("SELECT count(*) FROM codings") == 4


def test_codebook_round_trip_through_qdc(rich: Project, tmp_path: Path) -> None:
    dest = tmp_path / "book.qdc"
    export_codebook(rich, dest)
    with Project.create(tmp_path / "new.db") as fresh:
        report = import_qdc(fresh, dest)
        assert report.added["codes"] == 4
        assert snapshot(fresh)["codes"] == snapshot(rich)["codes"]
        assert snapshot(fresh)["code order"] == snapshot(rich)["code order"]


NAME = st.text(st.characters(whitelist_categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=10)
TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff\ufffe\uffff")
    | st.sampled_from(["\n", "\t", "\U0001f600", "\U0001d11e", "\u00e9"]),
    min_size=1,
    max_size=60,
)
MEMO = TEXT.map(str.strip).filter(bool)


@st.composite
def projects(draw) -> dict:
    n_codes = draw(st.integers(1, 6))
    codes = [
        {
            "name": f"{draw(NAME)} {i}",
            "parent": draw(st.none() | st.integers(0, i - 1)) if i else None,
            "codable": i == 0 or draw(st.booleans()),
            "colour": draw(st.none() | st.sampled_from(["#A1B2C3", "#ffffff"])),
            "description": draw(st.none() | NAME),
            "inclusion": draw(st.none() | NAME),
            "keywords": json.dumps(draw(st.lists(NAME, max_size=2)), ensure_ascii=False),
        }
        for i in range(n_codes)
    ]
    cases = [
        {"name": draw(NAME), "code": draw(st.none() | st.just(f"C{i}"))}
        for i in range(draw(st.integers(0, 2)))
    ]
    # Distinct texts: the importer refuses a second copy of a text, and REFI-QDA import matches a source to
    # the document with its text.
    texts = draw(st.lists(TEXT, min_size=1, max_size=3, unique=True))
    docs = [
        {
            "name": f"{draw(NAME)}.{i}",
            "text": text,
            "phase": draw(st.none() | st.integers(1, 3)),
            "case": draw(st.none() | st.integers(0, len(cases) - 1)) if cases else None,
        }
        for i, text in enumerate(texts)
    ]
    codable = [i for i, c in enumerate(codes) if c["codable"]]
    codings = {}
    for _ in range(draw(st.integers(0, 6))):
        d = draw(st.integers(0, len(docs) - 1))
        length = len(docs[d]["text"])
        start = draw(st.integers(0, length - 1))
        key = (
            d,
            draw(st.sampled_from(codable)),
            draw(st.integers(0, 1)),
            start,
            draw(st.integers(start + 1, length)),
        )
        codings[key] = draw(st.none() | MEMO)
    targets = ["project", "document", "code"] + (["case"] if cases else []) + (["coding"] if codings else [])
    memos = [
        {
            "target": draw(st.sampled_from(targets)),
            "pick": draw(st.integers(0, 50)),
            "title": draw(st.none() | NAME),
            "text": draw(MEMO),
            "coder": draw(st.none() | st.integers(0, 1)),
        }
        for _ in range(draw(st.integers(0, 4)))
    ]
    values = []
    if cases:
        for kind in draw(
            st.lists(
                st.sampled_from(["numeric", "ordinal", "categorical", "boolean", "date", "text"]),
                max_size=3,
                unique=True,
            )
        ):
            for case in range(len(cases)):
                for wave in draw(st.sets(st.integers(1, 3), max_size=2)):
                    values.append((kind, case, wave, draw(value_of(kind))))
    return {
        "codes": codes,
        "cases": cases,
        "docs": docs,
        "codings": codings,
        "memos": memos,
        "values": values,
    }


LEVELS = ["Low", "Mid \u00e9", "High \U0001f600"]


def value_of(kind: str):
    return {
        "numeric": st.floats(allow_nan=False, allow_infinity=False).map(lambda x: (x, None)),
        "ordinal": st.integers(0, 2).map(lambda i: (float(i), LEVELS[i])),
        "categorical": st.sampled_from(LEVELS).map(lambda v: (None, v)),
        "boolean": st.booleans().map(lambda b: (float(b), "true" if b else "false")),
        "date": st.dates().map(lambda d: (None, d.isoformat())),
        "text": TEXT.map(lambda t: (None, t)),
    }[kind]


def build_generated(path: Path, spec: dict) -> Project:
    p = Project.create(path)
    with p.transaction():
        coders = [insert(p, "coders", uuid=new_uuid(), name=n, created_at=now()) for n in ("ann", "ben")]
        code_ids: list[int] = []
        for i, c in enumerate(spec["codes"]):
            parent = code_ids[c["parent"]] if c["parent"] is not None else None
            code_ids.append(
                insert(
                    p,
                    "codes",
                    uuid=new_uuid(),
                    parent_id=parent,
                    name=c["name"],
                    description=c["description"],
                    inclusion=c["inclusion"],
                    colour=c["colour"],
                    keywords=c["keywords"],
                    codable=int(c["codable"]),
                    sort_order=i,
                    created_at=now(),
                )
            )
        case_ids = [
            insert(p, "cases", uuid=new_uuid(), name=c["name"], code=c["code"], created_at=now())
            for c in spec["cases"]
        ]
        doc_ids = [
            insert(
                p,
                "documents",
                uuid=new_uuid(),
                name=d["name"],
                text=d["text"],
                sha256=sha(d["text"]),
                phase=d["phase"],
                case_id=None if d["case"] is None else case_ids[d["case"]],
                imported_at=now(),
            )
            for d in spec["docs"]
        ]
        coding_ids = [
            insert(
                p,
                "codings",
                uuid=new_uuid(),
                document_id=doc_ids[d],
                code_id=code_ids[c],
                coder_id=coders[k],
                start=s,
                end=e,
                memo=memo,
                created_at=now(),
            )
            for (d, c, k, s, e), memo in spec["codings"].items()
        ]
        pools = {"document": doc_ids, "code": code_ids, "case": case_ids, "coding": coding_ids}
        for m in spec["memos"]:
            pool = pools.get(m["target"])
            insert(
                p,
                "memos",
                uuid=new_uuid(),
                target_type=m["target"],
                target_id=pool[m["pick"] % len(pool)] if pool else None,
                coder_id=None if m["coder"] is None else coders[m["coder"]],
                title=m["title"],
                text=m["text"],
                created_at=now(),
            )
        variables: dict[str, int] = {}
        for kind, case, wave, (num, text) in spec["values"]:
            if kind not in variables:
                variables[kind] = insert(
                    p,
                    "variables",
                    uuid=new_uuid(),
                    name=f"v_{kind}",
                    type=kind,
                    levels=json.dumps(LEVELS) if kind in ("ordinal", "categorical") else None,
                    source="survey",
                )
            insert(
                p,
                "case_values",
                variable_id=variables[kind],
                case_id=case_ids[case],
                wave=wave,
                value_num=num,
                value_text=text,
            )
    return p


@given(spec=projects())
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_round_trip_property(spec: dict) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with build_generated(folder / "a.db", spec) as original:
            export_project(original, folder / "a.qdpx")
            expected = snapshot(original)
        with Project.create(folder / "b.db") as copy:
            report = import_qdpx(copy, folder / "a.qdpx")
            assert report.not_carried == []
            assert snapshot(copy) == expected


# -- importing what other tools write ------------------------------------------------------------------
def test_import_other_tool_project(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    r = run("-p", db, "import-qdpx", DATA / "atlas_like.qdpx")
    assert r.exit_code == 0, r.output
    with Project.open(db) as p:
        kent = p.one("SELECT * FROM documents WHERE name = 'Kent officer interview.txt'")
        assert "\r" not in kent["text"] and not kent["text"].startswith("\ufeff")
        passages = {
            (row["doc"], row["code"], row["coder"], row["passage"], row["memo"])
            for row in p.execute(
                "SELECT d.name AS doc, k.name AS code, u.name AS coder, c.memo,"
                " substr(d.text, c.start + 1, c.end - c.start) AS passage"
                " FROM codings c JOIN documents d ON d.id = c.document_id JOIN codes k ON k.id = c.code_id"
                " JOIN coders u ON u.id = c.coder_id"
            )
        }
        assert passages == {
            # 64-97 in the BOM + CRLF text is 62-95 once the BOM and one CR are gone
            (
                "Kent officer interview.txt",
                "Peer visit",
                "Sam Coder",
                "We went on a site visit to Essex.",
                "The visit is the turning point",
            ),
            ("Kent officer interview.txt", "Adaptation", "Ruth Analyst", "Essex.\nOfficer: Then", None),
            ("Kent officer interview.txt", "Adaptation", "Sam Coder", "adapted their forms", None),
            ("Kent officer interview.txt", "Peer visit", "Sam Coder", "adapted their forms", None),
            ("Hull member interview.docx", "Partnership", "Ruth Analyst", "a joint board", None),
            ("Camden partner interview.txt", "Peer visit", "Ruth Analyst", "shared its toolkit", None),
        }
        assert p.one("SELECT start, end FROM codings WHERE uuid = 'c0000000-0000-4000-8000-000000000001'")[
            :
        ] == (62, 95)
        codes = {
            r["name"]: (r["codable"], r["colour"], r["parent"])
            for r in p.execute(
                "SELECT c.name, c.codable, c.colour, p.name AS parent FROM codes c LEFT JOIN codes p ON p.id = c.parent_id"
            )
        }
        assert codes == {
            "Learning": (0, None, None),
            "Peer visit": (1, "#F00082", "Learning"),
            "Adaptation": (1, "#00cc00", "Learning"),
            "Partnership": (1, None, None),
        }
        assert (
            p.scalar("SELECT uuid FROM codes WHERE name = 'Learning'")
            == "5215cc69-b628-4e02-afb9-9beeaee55808"
        )
        memos = {r["title"]: (r["target_type"], r["text"]) for r in p.execute("SELECT * FROM memos")}
        assert memos == {
            "On the visit": ("coding", "Ask Essex for their version of the forms."),
            "Research diary": ("project", "Overall the visits mattered more than the documents."),
            "Photo note": ("project", "Taken at the open day."),
            "About Hull": ("case", "Hull had just joined the scheme."),
        }
        values = {
            (r["name"], r["case"]): (r["value_num"], r["value_text"])
            for r in p.execute(
                "SELECT v.name, c.name AS 'case', cv.value_num, cv.value_text FROM case_values cv"
                " JOIN variables v ON v.id = cv.variable_id JOIN cases c ON c.id = cv.case_id"
            )
        }
        assert values == {
            ("Population", "Kent County Council"): (1400000.0, None),
            ("Beacon status", "Kent County Council"): (None, "Beacon"),
            ("Visited", "Kent County Council"): (1.0, "true"),
            ("Visited", "Hull City Council"): (0.0, "false"),
        }
        hull_doc_case = p.scalar(
            "SELECT c.name FROM documents d JOIN cases c ON c.id = d.case_id"
            " WHERE d.name = 'Hull member interview.docx'"
        )
        assert hull_doc_case == "Hull City Council"
    out = r.output
    for lost in [
        "picture source 'visit-photo.jpg'",
        "PDF source 'Beacon application.pdf'",
        "video source 'Open day.mp4'",
        "set 'Officers'",
        "graph 'Learning network'",
        "link 'leads to' between code 'Peer visit' and code 'Adaptation'",
        "selection 'past the end' in 'Kent officer interview.txt' (150-170) lies outside its text of 155",
        "selection 'Interviewer' in 'Kent officer interview.txt' has no codes",
        "archive file 'Thumbs.db' is not used",
        "variable 'Interview language' on text source",
        "case 'Hull City Council' is coded with 1 code(s)",
    ]:
        assert lost in out, lost
    assert "had only a .docx" in out and "'Photo note' was attached to picture source" in out


def test_inline_text_counting_crlf_once_is_recognised(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.db") as p:
        report = import_qdpx(p, DATA / "inline_crlf.qdpx")
        passages = [
            r[0]
            for r in p.execute(
                "SELECT substr(d.text, c.start + 1, c.end - c.start) FROM codings c JOIN documents d"
                " ON d.id = c.document_id ORDER BY c.start"
            )
        ]
        assert passages == ["We learnt from Leeds.", "The board met monthly."]
        assert any("code points, CRLF as one" in line for line in report.readings)


def test_import_qdc_from_other_tool_and_again(tmp_path: Path) -> None:
    db = tmp_path / "book.db"
    r = run("-p", db, "import-qdc", DATA / "other_tool.qdc")
    assert r.exit_code == 0, r.output
    assert "set 'Ways to innovate' (2 members)" in r.output
    again = run("-p", db, "import-qdc", DATA / "other_tool.qdc")
    assert "codes             0 added       5 already present" in again.output
    with Project.open(db) as p:
        rows = {
            r["name"]: (r["uuid"], r["parent"], r["codable"], r["colour"], r["description"])
            for r in p.execute(
                "SELECT c.*, p.name AS parent FROM codes c LEFT JOIN codes p ON p.id = c.parent_id"
            )
        }
    assert rows == {
        "Innovation": ("5215cc69-b628-4e02-afb9-9beeaee55808", None, 0, None, None),
        "Borrowing an idea": (
            "d7aa29da-519b-4946-9b90-253b6db8fd0a",
            "Innovation",
            1,
            "#ffff00",
            "Taking a practice from another council",
        ),
        "Inventing": (
            "0dcef2f5-e55c-49da-8c33-9b0803c7aeb4",
            "Innovation",
            1,
            "#33cc33",
            "A practice new to local government",
        ),
        "Barriers": ("9fa9bcb7-5b59-47a9-8c3e-f65cffdc7520", None, 0, None, None),
        "Funding": (
            "7c108712-b650-4892-ac0b-fc9a10190c3b",
            None,
            1,
            "#ff0000",
            "Money as a reason for or against change",
        ),
    }


def test_cases_are_matched_through_the_council_register(tmp_path: Path) -> None:
    with Project.create(tmp_path / "reg.db") as p:
        seed_cases(p)
        before = p.scalar("SELECT count(*) FROM cases")
        report = import_qdpx(p, DATA / "atlas_like.qdpx")
        assert p.scalar("SELECT count(*) FROM cases") == before
        assert report.matched["cases"] == 2 and report.added["cases"] == 0
        kent = p.scalar(
            "SELECT c.code FROM documents d JOIN cases c ON c.id = d.case_id"
            " WHERE d.name = 'Kent officer interview.txt'"
        )
        assert kent == p.scalar("SELECT code FROM cases WHERE name = 'Kent County Council'")


def test_changed_text_under_a_known_name_comes_in_beside_it(rich: Project, tmp_path: Path) -> None:
    archive = tmp_path / "rich.qdpx"
    export_project(rich, archive)
    with Project.create(tmp_path / "other.db") as other:
        insert(
            other,
            "documents",
            uuid=new_uuid(),
            name="hull_partner.txt",
            text="different",
            sha256=sha("different"),
            imported_at=now(),
        )
        report = import_qdpx(other, archive)
        names = sorted(r[0] for r in other.execute("SELECT name FROM documents"))
        assert names == ["hull_partner.txt", "hull_partner.txt (2)", "kent_officer_p2.txt"]
        assert any("added as 'hull_partner.txt (2)'" in line for line in report.notes)
        moved = other.scalar(
            "SELECT substr(d.text, c.start + 1, c.end - c.start) FROM codings c JOIN documents d"
            " ON d.id = c.document_id WHERE d.name = 'hull_partner.txt (2)'"
        )
        assert moved == "Hull"


def test_codings_without_a_user_go_to_the_named_coder(tmp_path: Path) -> None:
    qde = INLINE_MINIMAL.replace(' creatingUser="b1b1b1b1-0000-4000-8000-000000000001"', "")
    archive = tmp_path / "nouser.qdpx"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("project.qde", qde)
    db = tmp_path / "p.db"
    r = run("-p", db, "import-qdpx", archive, "--coder", "Jo")
    assert r.exit_code == 0, r.output
    assert "1 coding(s) named no coder; they are recorded under 'Jo'" in r.output
    with Project.open(db) as p:
        assert p.scalar("SELECT u.name FROM codings c JOIN coders u ON u.id = c.coder_id") == "Jo"


INLINE_MINIMAL = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="m">
 <CodeBook><Codes><Code guid="c1c1c1c1-0000-4000-8000-000000000001" name="Learning" isCodable="true"/></Codes></CodeBook>
 <Sources>
  <TextSource guid="d1d1d1d1-0000-4000-8000-000000000001" name="notes">
   <PlainTextContent>We learnt from Leeds.</PlainTextContent>
   <PlainTextSelection guid="e1e1e1e1-0000-4000-8000-000000000001" startPosition="3" endPosition="9"
    creatingUser="b1b1b1b1-0000-4000-8000-000000000001">
    <Coding guid="f1f1f1f1-0000-4000-8000-000000000001"><CodeRef targetGUID="c1c1c1c1-0000-4000-8000-000000000001"/></Coding>
   </PlainTextSelection>
  </TextSource>
 </Sources>
</Project>
"""


# -- offsets of texts with CRLF and a BOM ------------------------------------------------------------------
def test_offset_mapping_from_crlf_and_bom_text() -> None:
    original = "\ufeffab\r\ncd\re\r\n"
    mapped = normalise(original)
    assert mapped.text == "ab\ncd\ne\n"
    # original: 0 BOM, 1 a, 2 b, 3 CR, 4 LF, 5 c, 6 d, 7 CR (alone), 8 e, 9 CR, 10 LF, 11 = the end
    assert mapped.removed == (0, 3, 9)
    # worked out by hand: the BOM and 'a' both map to 0; the CR of a CRLF and its LF map to the
    # same place; a lone CR becomes LF in place and moves nothing.
    expected = {0: 0, 1: 0, 2: 1, 3: 2, 4: 2, 5: 3, 6: 4, 7: 5, 8: 6, 9: 7, 10: 7, 11: 8}
    assert {i: mapped.offset(i) for i in range(len(original) + 1)} == expected
    for start, end in [(1, 3), (5, 7), (8, 9), (2, 6)]:
        kept = original[start:end].replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
        assert mapped.text[mapped.offset(start) : mapped.offset(end)] == kept


def test_reading_is_chosen_by_boundaries_and_names() -> None:
    raw = "\ufeffOne.\r\nTwo words here.\r\n"
    # the BOM not counted: 'Two words here.' is at 6-21 rather than 7-22
    choice = choose_reading(raw, [(6, 21, "Two words here.")])
    assert choice.description == "code points, BOM not counted, CRLF as two" and choice.clear
    text = choice.normalised
    assert text.text[text.offset(6) : text.offset(21)] == "Two words here."
    assert choose_reading(raw, [(7, 22, "Two words here.")]).description.startswith(
        "code points, BOM counted"
    )
    # without a name, the boundaries alone tell: 6-21 starts inside nothing only when the BOM is not counted
    assert choose_reading(raw, [(6, 21, None)]).description == "code points, BOM not counted, CRLF as two"


def test_labelled_description_paragraphs_round_trip() -> None:
    fields = [("Inclusion", "a\n\nb"), ("Exclusion", None), ("Example", "x: y"), ("Keywords", '["k"]')]
    text = compose("Body text", fields)
    assert text == 'Body text\n\nInclusion: a\n\nb\n\nExample: x: y\n\nKeywords: ["k"]'
    labels = [label for label, _ in fields]
    assert decompose(text, labels) == (
        "Body text",
        {"Inclusion": "a\n\nb", "Example": "x: y", "Keywords": '["k"]'},
    )
    assert decompose(compose(None, [("Example", "e")]), labels) == (None, {"Example": "e"})
    # a foreign description whose last paragraph merely looks like a field stays whole
    foreign = "Notes\n\nKeywords: see the manual"
    assert decompose(foreign, labels, {"Keywords": lambda v: v.startswith("[")}) == (foreign, {})


# -- unsafe and broken input ------------------------------------------------------------------------------------
MINIMAL_QDE = INLINE_MINIMAL.encode("utf-8")


def zip_of(members: list[tuple[str | zipfile.ZipInfo, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)
    return out.getvalue()


def symlink_member() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("sources/link.txt")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def with_declared_size(archive: bytes, size: int) -> bytes:
    """The archive with its first member's uncompressed size changed in both headers."""
    data = bytearray(archive)
    local = data.index(b"PK\x03\x04")
    data[local + 22 : local + 26] = size.to_bytes(4, "little")
    central = data.index(b"PK\x01\x02")
    data[central + 24 : central + 28] = size.to_bytes(4, "little")
    return bytes(data)


LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&d;"/>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>"""
TEXT_SOURCE_QDE = MINIMAL_QDE.replace(
    b"<PlainTextContent>We learnt from Leeds.</PlainTextContent>", b""
).replace(
    b'name="notes">', b'name="notes" plainTextPath="internal://d1d1d1d1-0000-4000-8000-000000000001.txt">'
)
BOMB_QDE = TEXT_SOURCE_QDE.replace(b"d1d1d1d1-0000-4000-8000-000000000001.txt", b"big.txt")

UNSAFE = {
    "parent path": (zip_of([("project.qde", MINIMAL_QDE), ("../evil.txt", b"x")]), "leaves the archive"),
    "absolute path": (zip_of([("project.qde", MINIMAL_QDE), ("/tmp/evil.txt", b"x")]), "absolute path"),
    "drive letter": (zip_of([("project.qde", MINIMAL_QDE), ("C:/evil.txt", b"x")]), "absolute path"),
    "symlink": (zip_of([("project.qde", MINIMAL_QDE), (symlink_member(), b"/etc/passwd")]), "symbolic link"),
    "entity expansion": (zip_of([("project.qde", LAUGHS)]), "declares a DTD or entities"),
    "external entity": (zip_of([("project.qde", EXTERNAL)]), "declares a DTD or entities"),
    "zip bomb": (zip_of([("project.qde", BOMB_QDE), ("sources/big.txt", b" " * 20_000_000)]), "zip bomb"),
    "declared too large": (
        with_declared_size(zip_of([("project.qde", MINIMAL_QDE)]), 300 * 2**20),
        "more than the",
    ),
    "size that lies": (with_declared_size(zip_of([("project.qde", MINIMAL_QDE)]), 100), "damaged"),
    "malformed xml": (zip_of([("project.qde", MINIMAL_QDE[:-40])]), "not well-formed XML"),
    "not a zip": (b"this is not an archive", "not a ZIP archive"),
    "no qde": (zip_of([("sources/a.txt", b"x")]), "no .qde project file"),
    "latin-1 text": (
        zip_of(
            [
                ("project.qde", TEXT_SOURCE_QDE),
                ("sources/d1d1d1d1-0000-4000-8000-000000000001.txt", "caf\u00e9".encode("latin-1")),
            ]
        ),
        "is not UTF-8 text (byte 0xe9 at position 3)",
    ),
    "binary text": (
        zip_of(
            [
                ("project.qde", TEXT_SOURCE_QDE),
                ("sources/d1d1d1d1-0000-4000-8000-000000000001.txt", b"\x00\x01\x02"),
            ]
        ),
        "binary file",
    ),
}


@pytest.mark.parametrize("case", sorted(UNSAFE))
def test_unsafe_or_broken_archive_is_refused_and_changes_nothing(
    rich: Project, tmp_path: Path, case: str
) -> None:
    data, message = UNSAFE[case]
    archive = tmp_path / "bad.qdpx"
    archive.write_bytes(data)
    rich.close()
    before = file_hash(rich.path)
    r = run("-p", rich.path, "import-qdpx", archive)
    assert r.exit_code == 1
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.output
    assert message in lines[0]
    assert file_hash(rich.path) == before
    fresh = tmp_path / "never.db"
    assert run("-p", fresh, "import-qdpx", archive).exit_code == 1
    assert not fresh.exists()


def test_failure_while_writing_leaves_the_project_byte_for_byte(
    rich: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = DATA / "atlas_like.qdpx"
    data = read_qdpx(archive)
    path = rich.path
    rich.close()
    before = file_hash(path)

    def fail(self) -> None:  # by the time notes are written, codes, cases, documents and codings are in
        assert self.p.scalar("SELECT count(*) FROM codings") > 4
        raise BeaconError("disk full (simulated)")

    monkeypatch.setattr("beacon_qual.exchange.refi_import._Importer._notes", fail)
    with Project.open(path) as p:
        with pytest.raises(BeaconError, match="simulated"):
            import_refi(p, data)
        assert p.scalar("SELECT count(*) FROM codings") == 4
        assert p.scalar("SELECT count(*) FROM audit WHERE action = 'import'") == 0
    assert file_hash(path) == before


def test_too_many_members_and_malformed_codebook_are_refused(tmp_path: Path) -> None:
    archive = tmp_path / "many.qdpx"
    archive.write_bytes(
        zip_of([("project.qde", MINIMAL_QDE)] + [(f"sources/{i}.txt", b"x") for i in range(6)])
    )
    with pytest.raises(BeaconError, match="holds 7 files, more than the 5 accepted"):
        read_qdpx(archive, Limits(max_members=5))
    bad = tmp_path / "bad.qdc"
    bad.write_text("<CodeBook><Codes><Code name='x'></Codes></CodeBook>", encoding="utf-8")
    r = run("-p", tmp_path / "p.db", "import-qdc", bad)
    assert r.exit_code == 1 and "bad.qdc is not well-formed XML (line 1" in r.output
    assert not (tmp_path / "p.db").exists()


def test_export_needs_codes_for_a_codebook(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    Project.create(db).close()
    r = run("-p", db, "export", "qdc", tmp_path / "x.qdc")
    assert r.exit_code == 1 and "no codes" in r.output
    assert not (tmp_path / "x.qdc").exists()


# -- positions counted the way real tools count them ---------------------------------------------------------
# Invented interview, stored by the imitated tool with a BOM and CRLF line endings, with characters outside the
# Basic Multilingual Plane (two UTF-16 code units each) before and inside the selections.
TOOL_TEXT = (
    "Interviewer: Did Kent learn from Essex? \U0001f914\n"
    "Officer: We went on a site visit \U0001f697 to Essex.\n"
    "Officer: Then we adapted their forms \U0001f4dd to our districts. It took a year.\n"
    "Member: The \U0001f3db council approved it.\n"
)
TOOL_PASSAGES = [
    "We went on a site visit \U0001f697 to Essex.",
    "Essex.\nOfficer: Then",
    "adapted their forms",
    "It took a year.",
    "The \U0001f3db council approved it.",
]
CODE_GUID = "c1c1c1c1-0000-4000-8000-000000000001"
USER_GUID = "b1b1b1b1-0000-4000-8000-000000000001"


def tool_offset(stored: str, k: int, reading: Reading) -> int:
    """Where stored position k is for a tool that counts the ``reading`` way in the BOM + CRLF file."""
    before = stored[:k]
    units = len(before.encode("utf-16-le")) // 2 if reading.utf16 else len(before)
    return units + reading.bom_counted + (before.count("\n") if reading.crlf_counted_twice else 0)


def source_xml(guid: str, name: str | None, spans: list[tuple[int, int]], *, path: str | None = None) -> str:
    attrs = f'guid="{guid}"' + (f' name="{name}"' if name is not None else "")
    attrs += f' plainTextPath="{path or f"internal://{guid}.txt"}"'
    selections = "".join(
        f'<PlainTextSelection guid="{guid[:8]}-5e1e-4000-8000-{i:012d}" startPosition="{s}" endPosition="{e}"'
        f' creatingUser="{USER_GUID}"><Coding guid="{guid[:8]}-c0d1-4000-8000-{i:012d}">'
        f'<CodeRef targetGUID="{CODE_GUID}"/></Coding></PlainTextSelection>'
        for i, (s, e) in enumerate(spans)
    )
    return f"<TextSource {attrs}>{selections}</TextSource>"


def write_qdpx(
    path: Path, sources: list[str], texts: dict[str, bytes], *, extra: str = "", users: str = ""
) -> Path:
    qde = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="invented" origin="Imitated tool 1.0">'
        f'<Users><User guid="{USER_GUID}" name="Ruth"{users}/></Users>'
        f'<CodeBook><Codes><Code guid="{CODE_GUID}" name="Learning" isCodable="true"/></Codes></CodeBook>'
        f"<Sources>{''.join(sources)}</Sources>{extra}</Project>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", qde)
        for name, data in texts.items():
            z.writestr(f"sources/{name}", data)
    return path


def tool_file(stored: str) -> bytes:
    return ("\ufeff" + stored.replace("\n", "\r\n")).encode("utf-8")


def coded_passages(db: Path) -> list[tuple[str, str]]:
    with Project.open(db) as p:
        return [
            (r[0], r[1])
            for r in p.execute(
                "SELECT substr(d.text, c.start + 1, c.end - c.start), c.status FROM codings c"
                " JOIN documents d ON d.id = c.document_id ORDER BY c.start, c.end"
            )
        ]


@pytest.mark.parametrize("reading", READINGS, ids=lambda r: r.describe("\ufeff\r\n\U0001f600"))
def test_positions_are_read_the_way_the_tool_counted_them(tmp_path: Path, reading: Reading) -> None:
    guid = "d1d1d1d1-0000-4000-8000-000000000001"
    spans = []
    for passage in TOOL_PASSAGES:
        k = TOOL_TEXT.index(passage)
        spans.append((tool_offset(TOOL_TEXT, k, reading), tool_offset(TOOL_TEXT, k + len(passage), reading)))
    archive = write_qdpx(
        tmp_path / "tool.qdpx",
        [source_xml(guid, "Kent.txt", spans)],
        {f"{guid}.txt": tool_file(TOOL_TEXT)},
    )
    db = tmp_path / "p.db"
    r = run("-p", db, "import-qdpx", archive)
    assert r.exit_code == 0, r.output
    assert sorted(coded_passages(db)) == sorted((p, "ok") for p in TOOL_PASSAGES)
    assert (
        f"'Kent.txt': positions read as {reading.describe(chr(0xFEFF) + TOOL_TEXT.replace(chr(10), chr(13) + chr(10)))};"
        " 5 of 5 selection(s) start and end on word boundaries" in r.output
    )
    assert "no reading fits clearly better" not in r.output
    assert run("-p", db, "review", "list").output.strip() == "no codings need review"


def test_positions_that_fit_no_reading_are_imported_and_flagged_for_review(tmp_path: Path) -> None:
    guid = "d1d1d1d1-0000-4000-8000-000000000002"
    spans = [(19, 28), (63, 71), (122, 133)]  # inside words under every reading
    archive = write_qdpx(
        tmp_path / "odd.qdpx", [source_xml(guid, "odd.txt", spans)], {f"{guid}.txt": tool_file(TOOL_TEXT)}
    )
    db = tmp_path / "p.db"
    r = run("-p", db, "import-qdpx", archive)
    assert r.exit_code == 0, r.output
    [line] = [line for line in r.output.splitlines() if "'odd.txt': positions read as" in line]
    assert "of 3 selection(s) start and end on word boundaries" in line
    assert "no reading fits clearly better" in line and "3 selection(s) they place differently" in line
    assert "3 coding(s) in 'odd.txt' are flagged for review" in r.output
    assert [status for _, status in coded_passages(db)] == ["review"] * 3
    listed = run("-p", db, "review", "list")
    assert "3 coding(s) need review" in listed.output


# -- sources, users and GUIDs ------------------------------------------------------------------------------
def test_source_without_a_name_is_named_after_its_file(tmp_path: Path) -> None:
    guid = "d1d1d1d1-0000-4000-8000-000000000003"
    archive = write_qdpx(
        tmp_path / "unnamed.qdpx",
        [source_xml(guid, None, [(0, 7)], path="internal://Hull officer 3.txt")],
        {"Hull officer 3.txt": b"Officer: We learnt from Leeds.\n"},
    )
    db = tmp_path / "p.db"
    r = run("-p", db, "import-qdpx", archive)
    assert r.exit_code == 0, r.output
    with Project.open(db) as p:
        assert [row[0] for row in p.execute("SELECT name FROM documents")] == ["Hull officer 3.txt"]


def test_two_sources_with_the_same_text_are_two_documents(tmp_path: Path) -> None:
    first, second = "d1d1d1d1-0000-4000-8000-000000000004", "d1d1d1d1-0000-4000-8000-000000000005"
    text = b"Officer: We learnt from Leeds.\n"
    archive = write_qdpx(
        tmp_path / "twins.qdpx",
        [source_xml(first, "Leeds.txt", [(9, 11)]), source_xml(second, "Leeds.txt", [(24, 29)])],
        {f"{first}.txt": text, f"{second}.txt": text},
    )
    db = tmp_path / "p.db"
    r = run("-p", db, "import-qdpx", archive)
    assert r.exit_code == 0, r.output
    query = (
        "SELECT d.name, substr(d.text, c.start + 1, c.end - c.start) FROM codings c"
        " JOIN documents d ON d.id = c.document_id ORDER BY d.name"
    )
    with Project.open(db) as p:
        assert [tuple(row) for row in p.execute(query)] == [("Leeds.txt", "We"), ("Leeds.txt (2)", "Leeds")]
        assert p.scalar("SELECT count(DISTINCT sha256) FROM documents") == 1
    assert (
        "two sources in the file are named 'Leeds.txt'; the second was added as 'Leeds.txt (2)'" in r.output
    )
    again = run("-p", db, "import-qdpx", archive)  # the same file again adds nothing
    assert "documents         0 added       2 already present" in again.output
    # both are indexed for search (import writes the index entries itself) and pass every check
    assert "2 sentences match" in run("-p", db, "search", "learnt").output
    assert run("-p", db, "check").exit_code == 0


def test_everything_not_carried_over_is_listed(tmp_path: Path) -> None:
    guid = "d1d1d1d1-0000-4000-8000-000000000006"
    source = source_xml(guid, "Leeds.txt", [(9, 11)]).replace(
        "<TextSource ", '<TextSource modifiedDateTime="2019-03-01T10:00:00Z" ', 1
    )
    archive = write_qdpx(
        tmp_path / "extra.qdpx",
        [source],
        {f"{guid}.txt": b"Officer: We learnt from Leeds.\n"},
        users=' id="RA"',
        extra='<VendorSettings zoom="2"/>',
    )
    r = run("-p", tmp_path / "p.db", "import-qdpx", archive)
    assert r.exit_code == 0, r.output
    assert "user 'Ruth': its id 'RA' is not kept" in r.output
    assert (
        "1 <TextSource> element(s) with a 'modifiedDateTime' attribute: beacon-qual does not keep it"
        in r.output
    )
    assert "1 <VendorSettings> element(s) in <Project>: beacon-qual does not read them" in r.output


def test_a_coding_guid_already_used_by_another_coding_is_reported(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    one, two = "d1d1d1d1-0000-4000-8000-000000000007", "e2e2e2e2-0000-4000-8000-000000000008"
    first = write_qdpx(
        tmp_path / "a.qdpx",
        [source_xml(one, "Leeds.txt", [(9, 11)])],
        {f"{one}.txt": b"Officer: We learnt.\n"},
    )
    assert run("-p", db, "import-qdpx", first).exit_code == 0
    # another file whose coding happens to carry the same GUID, on another text
    second = write_qdpx(
        tmp_path / "b.qdpx",
        [source_xml(two, "Hull.txt", [(8, 12)]).replace("e2e2e2e2-c0d1", "d1d1d1d1-c0d1")],
        {f"{two}.txt": b"Member: Hull joined.\n"},
    )
    r = run("-p", db, "import-qdpx", second)
    assert r.exit_code == 0, r.output
    assert (
        "coding GUID d1d1d1d1-c0d1-4000-8000-000000000000 (code 'Learning' in 'Hull.txt', 8-12)" in r.output
    )
    assert "is already the GUID of a different coding (code 'Learning' in 'Leeds.txt', 9-11)" in r.output
    assert "codings           1 added       0 already present" in r.output
    query = (
        "SELECT d.name, substr(d.text, c.start + 1, c.end - c.start) FROM codings c"
        " JOIN documents d ON d.id = c.document_id ORDER BY d.name"
    )
    with Project.open(db) as p:
        assert [tuple(row) for row in p.execute(query)] == [("Hull.txt", "Hull"), ("Leeds.txt", "We")]
