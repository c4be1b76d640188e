"""Write the malformed and hostile inputs of this folder (all invented; see README.md).

    /tmp/venv/bin/python tests/bad_inputs/make_corpus.py

The very large inputs (a 200 MB file, 10 MB lines) are not kept here: tests/test_bad_inputs.py
makes them at test time.
"""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOTICE = "# Invented test input for beacon-qual, malformed on purpose."

TRANSCRIPT = "Interviewer: How did you learn from the Beacon council?\nOfficer: We visited them twice.\n"
FRONT = "---\n" + NOTICE + "\ncouncil: {council}\nphase: {phase}\nrole: {role}\n{extra}---\n"


def front(council: str = "Kent", phase: str = "1", role: str = "officer", extra: str = "") -> str:
    return FRONT.format(council=council, phase=phase, role=role, extra=extra)


def laughs_inline() -> str:
    """A YAML flow sequence of nine nested anchors: nine lols, nine of those, ... 9**9 lols when expanded."""
    levels = ["&a [" + ", ".join(["lol"] * 9) + "]"]
    for previous, name in zip("abcdefgh", "bcdefghi"):
        levels.append(f"&{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "[" + ", ".join(levels) + "]"


def laughs_codes() -> str:
    """Codes whose children are aliases of the level before: ten million codes when expanded."""
    lines = []
    previous = None
    for level, anchor in enumerate("abcdefg", start=1):
        children = ", ".join(
            f"{{name: {anchor}{i}" + (f", children: *{previous}}}" if previous else "}") for i in range(10)
        )
        lines.append(f"  - name: Level {level}\n    children: &{anchor} [{children}]")
        previous = anchor
    return "\n".join(lines) + "\n"


LAUGHS_XML = """<?xml version="1.0"?>
<!DOCTYPE CodeBook [
 <!ENTITY a "lollollollollollollollollollol">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
]>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="c1c1c1c1-0000-4000-8000-000000000001"
 name="&g;" isCodable="true"/></Codes></CodeBook>
"""

EXTERNAL_XML = """<?xml version="1.0"?>
<!DOCTYPE CodeBook [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="c1c1c1c1-0000-4000-8000-000000000001"
 name="&secret;" isCodable="true"/></Codes></CodeBook>
"""

QDC = """<?xml version="1.0" encoding="utf-8"?>
<!-- Invented test input for beacon-qual, malformed on purpose. -->
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>{codes}</Codes></CodeBook>
"""
CODE = '<Code guid="{guid}" name="{name}" isCodable="true"/>'

QDE = """<?xml version="1.0" encoding="utf-8"?>
<!-- Invented test input for beacon-qual, malformed on purpose. -->
<Project xmlns="urn:QDA-XML:project:1.0" name="bad input">
 <CodeBook><Codes><Code guid="c1c1c1c1-0000-4000-8000-000000000001" name="Learning" isCodable="true"/></Codes></CodeBook>
 <Sources>
  <TextSource guid="d1d1d1d1-0000-4000-8000-000000000001" name="notes"{source_attr}>
{content}   <PlainTextSelection guid="e1e1e1e1-0000-4000-8000-000000000001" startPosition="{start}" endPosition="{end}">
    <Coding guid="f1f1f1f1-0000-4000-8000-000000000001"><CodeRef targetGUID="{code_ref}"/></Coding>
   </PlainTextSelection>
  </TextSource>
 </Sources>
</Project>
"""
INLINE = "   <PlainTextContent>We learnt from Leeds.</PlainTextContent>\n"


def qde(
    *,
    start: int = 3,
    end: int = 9,
    source_attr: str = "",
    content: str = INLINE,
    code_ref: str = "c1c1c1c1-0000-4000-8000-000000000001",
) -> bytes:
    return QDE.format(
        start=start, end=end, source_attr=source_attr, content=content, code_ref=code_ref
    ).encode()


def zip_bytes(members: list[tuple[str | zipfile.ZipInfo, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return out.getvalue()


def symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def declared_size(archive: bytes, size: int) -> bytes:
    """The archive with its first member's uncompressed size set to ``size`` in both headers."""
    data = bytearray(archive)
    local = data.index(b"PK\x03\x04")
    data[local + 22 : local + 26] = size.to_bytes(4, "little")
    central = data.index(b"PK\x01\x02")
    data[central + 24 : central + 28] = size.to_bytes(4, "little")
    return bytes(data)


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
UNDEFINED_CP1252 = b"\x81\x8d\x8f\x90\x9d"  # bytes Windows-1252 leaves undefined (and invalid UTF-8 here)

TEXT_FILES: dict[str, str] = {
    # transcripts
    "transcript_whitespace.txt": "   \n\n\t  \n",
    "transcript_front_matter_only.md": front() + "\n\n",
    "transcript_front_matter_malformed.md": "---\ncouncil: [Kent\nphase: 1\n---\n" + TRANSCRIPT,
    "transcript_front_matter_laughs.md": front(extra=f"respondent: {laughs_inline()}\n") + TRANSCRIPT,
    "transcript_front_matter_cycle.md": "---\ncouncil: &c [*c]\n---\n" + TRANSCRIPT,
    "transcript_unknown_council.md": front(council="Gotham City Council") + TRANSCRIPT,
    "transcript_no_council.txt": TRANSCRIPT,
    "transcript_bad_phase.md": front(phase="zero") + TRANSCRIPT,
    "transcript_bad_role.md": front(role="astronaut") + TRANSCRIPT,
    "transcript_not_webvtt.vtt": "00:00:01.000 --> 00:00:02.000\nOfficer: hello\n",
    "transcript_no_cues.srt": "1\nno timing here\nOfficer: hello\n",
    "transcript_formats.exe": "MZ this is not a transcript\n",
    "manifest_unknown_council/manifest.csv": "file,council,phase,role\ninterview.txt,Atlantis District Council,1,officer\n",
    "manifest_unknown_council/interview.txt": TRANSCRIPT,
    "manifest_missing_files/manifest.csv": "file,council,phase,role\nmissing_a.txt,Kent,1,officer\n"
    "missing_b.txt,Hull,2,officer\n",
    "manifest_unbalanced_quotes/manifest.csv": 'file,council,phase,role\n"interview.txt,Kent,1,officer\n',
    "manifest_unbalanced_quotes/interview.txt": TRANSCRIPT,
    "manifest_duplicate_header/manifest.csv": "file,council,council,phase\ninterview.txt,Kent,Hull,1\n",
    "manifest_duplicate_header/interview.txt": TRANSCRIPT,
    "manifest_ragged/manifest.csv": "file,council,phase,role\ninterview.txt,Kent,1,officer,extra,cells\n",
    "manifest_ragged/interview.txt": TRANSCRIPT,
    # surveys
    "survey_header_only.csv": "council,innovation_score\n",
    "survey_ragged_rows.csv": "council,innovation_score,wave\nKent,3,1\nHull,4,1,surplus,cells\nCamden\n",
    "survey_unbalanced_quotes.csv": 'council,innovation_score\nKent,3\n"Hull,4\nCamden,5\n',
    "survey_duplicate_headers.csv": "council,score,score\nKent,3,4\nHull,4,5\n",
    "survey_formula_cells.csv": 'council,innovation_score\n"=HYPERLINK(""http://x"",""Kent"")",3\n'
    "+cmd|' /C calc'!A0,4\n@SUM(1+1)*cmd,5\n",
    "survey_unknown_councils.csv": "council,innovation_score\nGotham City Council,3\nAtlantis DC,4\n",
    "survey_no_council_column.csv": "score,rating\n3,high\n4,low\n",
    "survey_for_types.csv": "council,innovation_score\nKent,3\nHull,4\n",  # valid: read with the bad types files
    "survey_types_laughs.yaml": NOTICE
    + "\ncolumns:\n  innovation_score:\n    type: ordinal\n    levels: "
    + laughs_inline()
    + "\n",
    "survey_types_cycle.yaml": "columns: &c {innovation_score: *c}\n",
    "survey_types_unknown_type.yaml": NOTICE + "\ncolumns:\n  innovation_score: {type: quaternion}\n",
    "survey_types_malformed.yaml": "columns:\n  innovation_score: {type: numeric\n  - broken\n",
    # codebooks
    "codebook_duplicate_names.yaml": NOTICE
    + '\nversion: "1"\nname: Dup\ncodes:\n  - name: Tacit\n  - name: Tacit\n',
    "codebook_missing_name.yaml": NOTICE
    + '\nversion: "1"\nname: Missing\ncodes:\n  - description: no name\n',
    "codebook_laughs.yaml": NOTICE + '\nversion: "1"\nname: Laughs\ncodes:\n' + laughs_codes(),
    "codebook_alias_cycle.yaml": NOTICE
    + '\nversion: "1"\nname: Cycle\ncodes: &c\n  - name: A\n    children: *c\n',
    "codebook_malformed.yaml": NOTICE + '\nversion: "1"\nname: Broken\ncodes:\n  - name: A\n   - name: B\n',
    "codebook_not_a_mapping.yaml": NOTICE + "\n- just\n- a\n- list\n",
    "codebook_wrong_types.yaml": NOTICE + '\nversion: "1"\nname: Types\ncodes:\n  - name: {nested: mapping}\n'
    "    keywords: 12\n",
    # REFI-QDA codebooks
    "qdc_malformed.qdc": QDC.format(codes='<Code guid="c1c1c1c1-0000-4000-8000-000000000001" name="x">')[
        :-20
    ],
    "qdc_entity_expansion.qdc": LAUGHS_XML,
    "qdc_external_entity.qdc": EXTERNAL_XML,
    "qdc_no_codes.qdc": QDC.format(codes=""),
    "qdc_duplicate_guid.qdc": QDC.format(
        codes=CODE.format(guid="c1c1c1c1-0000-4000-8000-000000000001", name="A")
        + CODE.format(guid="c1c1c1c1-0000-4000-8000-000000000001", name="B")
    ),
    "qdc_wrong_root.qdc": '<?xml version="1.0"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="not a codebook"/>\n',
}

BINARY_FILES: dict[str, bytes] = {
    "transcript_undecodable.txt": b"Interviewer: caf\xc3\xa9 then " + UNDEFINED_CP1252 + b" and more\n",
    "transcript_binary.txt": PNG + b"\x00" * 64,
    "transcript_empty.txt": b"",
    "transcript_utf16_without_bom.txt": TRANSCRIPT.encode("utf-16-le"),
    "transcript_bad_bom.txt": b"\xef\xbb\xbfInterviewer: " + UNDEFINED_CP1252 + b"\n",
    "transcript_latin2.txt": (front() + "Officer: Jak się masz? Łódź, Gdańsk.\n").encode("iso-8859-2"),
    "transcript_cp1251.txt": (front() + "Officer: Мы многому научились у совета Кента.\n").encode("cp1251"),
    "transcript_utf8_stray_byte.txt": (front() + "Officer: café – ok, ").encode("utf-8") + b"\xe9 here\n",
    "transcript_not_a_zip.docx": b"PK but not really a Word document\n",
    "transcript_zip_not_docx.docx": zip_bytes([("hello.txt", b"a zip, but no Word document inside")]),
    "survey_undecodable.csv": b"council,innovation_score\nKent,3\nH\x81\x8dll,4\n",
    "survey_latin2.csv": "council,comment\nKent,Współpraca z Łodzią\n".encode("iso-8859-2"),
    "survey_binary.csv": PNG + b"\x00" * 64,
    "survey_empty.csv": b"",
    "survey_not_a_workbook.xlsx": b"PK this is not an Excel workbook\n",
    "survey_legacy.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
    "codebook_undecodable.yaml": b'version: "1"\nname: Bad \x81\x8d\ncodes:\n  - name: A\n',
    "codebook_binary.yaml": PNG + b"\x00" * 64,
    "codebook_empty.yaml": b"",
    "qdc_binary.qdc": PNG + b"\x00" * 64,
    "qdc_empty.qdc": b"",
    "qdpx_zip_slip.qdpx": zip_bytes([("project.qde", qde()), ("../../evil.txt", b"escaped")]),
    "qdpx_absolute_path.qdpx": zip_bytes([("project.qde", qde()), ("/tmp/evil.txt", b"escaped")]),
    "qdpx_backslash_path.qdpx": zip_bytes([("project.qde", qde()), ("..\\..\\evil.txt", b"escaped")]),
    "qdpx_symlink.qdpx": zip_bytes([("project.qde", qde()), (symlink("sources/link.txt"), b"/etc/passwd")]),
    "qdpx_duplicate_member.qdpx": zip_bytes([("project.qde", qde()), ("project.qdX", b"<Project/>")]).replace(
        b"project.qdX", b"project.qde"
    ),
    "qdpx_declared_huge.qdpx": declared_size(zip_bytes([("project.qde", qde())]), 3_000_000_000),
    "qdpx_size_lies.qdpx": declared_size(zip_bytes([("project.qde", qde())]), 100),
    "qdpx_entity_expansion.qdpx": zip_bytes(
        [("project.qde", LAUGHS_XML.replace("CodeBook", "Project").encode())]
    ),
    "qdpx_external_entity.qdpx": zip_bytes(
        [("project.qde", EXTERNAL_XML.replace("CodeBook", "Project").encode())]
    ),
    "qdpx_malformed_xml.qdpx": zip_bytes([("project.qde", qde()[:-40])]),
    "qdpx_no_project_file.qdpx": zip_bytes([("sources/a.txt", b"no project.qde here")]),
    "qdpx_not_a_zip.qdpx": b"this is not an archive\n",
    "qdpx_partial_missing_source.qdpx": zip_bytes(
        [
            (
                "project.qde",
                qde(
                    source_attr=' plainTextPath="internal://d1d1d1d1-0000-4000-8000-000000000001.txt"',
                    content="",
                ),
            )
        ]
    ),
    "qdpx_partial_impossible_offsets.qdpx": zip_bytes([("project.qde", qde(start=15, end=4000))]),
    "qdpx_partial_negative_offsets.qdpx": zip_bytes([("project.qde", qde(start=-5, end=3))]),
    "qdpx_partial_unknown_code_ref.qdpx": zip_bytes(
        [("project.qde", qde(code_ref="99999999-0000-4000-8000-000000000009"))]
    ),
    "qdpx_zip_bomb.qdpx": zip_bytes(
        [
            ("project.qde", qde(source_attr=' plainTextPath="internal://big.txt"', content="")),
            ("sources/big.txt", b" " * 20_000_000),  # about 20 KB compressed: a ratio near 1000
        ]
    ),
    "qdpx_binary_source.qdpx": zip_bytes(
        [
            (
                "project.qde",
                qde(
                    source_attr=' plainTextPath="internal://d1d1d1d1-0000-4000-8000-000000000001.txt"',
                    content="",
                ),
            ),
            ("sources/d1d1d1d1-0000-4000-8000-000000000001.txt", PNG + b"\x00" * 32),
        ]
    ),
}


def main() -> None:
    for name, text in TEXT_FILES.items():
        path = HERE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    for name, data in BINARY_FILES.items():
        (HERE / name).write_bytes(data)


if __name__ == "__main__":
    main()
