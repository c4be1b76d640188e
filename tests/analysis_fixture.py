"""A small project for the analysis tests, built in SQL so that every expected number can be counted by hand.

Every document has ten sentences of 20 characters, joined by single spaces: sentence i is
``text[21 * i : 21 * i + 20]`` ("Sentence 03 is here."), and two speaker turns: turn 0 is
sentences 0-4, [0, 104), turn 1 is sentences 5-9, [105, 209).

Councils (register code): AAA Aville, BBB Bton, CCC Cford, DDD Dham, EEE Eby (no documents).

Codes (path, id):   1 Innovation
                    2 Innovation/Learning to innovate
                    3 Innovation/Learning to innovate/Adaptation
                    4 Innovation/Imitation
                    5 Barriers

Documents (id, name, council, phase, role):
    1 a1.txt AAA 1 officer      2 a2.txt AAA 2 member
    3 b1.txt BBB 1 officer      4 b3.txt BBB 3 partner
    5 c2.txt CCC 2 officer      6 c3.txt CCC 3 officer
    7 d3.txt DDD 3 member       8 d1.txt DDD 1 officer (never coded)

Codings (number: document, code, coder, span, sentence):
    c1: 1 Imitation alice [0,20) s0        c2: 1 Adaptation alice [0,41) s0-s1
    c3: 1 Barriers alice [63,83) s3        c4: 1 Imitation bob [0,20) s0
    c5: 2 Adaptation alice [42,62) s2      c6: 2 Learning to innovate alice [42,62) s2
    c7: 3 Imitation alice [21,41) s1       c8: 3 Imitation alice [105,125) s5
    c9: 3 Barriers bob [21,41) s1          c10: 4 Adaptation bob [84,125) s4-s5
    c11: 4 Barriers bob [105,125) s5       c12: 5 Learning to innovate alice [0,20) s0
    c13: 5 Barriers alice [5,15) in s0     c14: 6 Adaptation alice [147,167) s7
    c15: 6 Adaptation bob [147,167) s7     c16: 7 Adaptation alice [189,209) s9
    c17: 7 Imitation alice [168,188) s8

Survey (wave 1 unless said):
    region_type (categorical urban/rural): AAA urban, BBB urban, CCC rural, DDD rural, EEE rural
    innovation_score (numeric): wave 1 AAA 10, BBB 20, CCC 30, DDD 40, EEE 50;
                                wave 2 AAA -5, BBB 15, CCC 25, DDD 35
    satisfaction (ordinal Low/Medium/High): AAA Low, BBB High, CCC Medium, DDD High
    beacon (boolean): AAA true, BBB false, CCC true, DDD false
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from beacon_qual.store import Project, new_uuid, now

SENTENCES = 10
TEXT = " ".join(f"Sentence {i:02d} is here." for i in range(SENTENCES))
ADAPTATION = "Innovation/Learning to innovate/Adaptation"
LEARNING = "Innovation/Learning to innovate"
IMITATION = "Innovation/Imitation"
INNOVATION = "Innovation"
BARRIERS = "Barriers"

COUNCILS = [("AAA", "Aville"), ("BBB", "Bton"), ("CCC", "Cford"), ("DDD", "Dham"), ("EEE", "Eby")]
CODES = [  # id, parent, name, sort order
    (1, None, "Innovation", 0),
    (2, 1, "Learning to innovate", 0),
    (3, 2, "Adaptation", 0),
    (4, 1, "Imitation", 1),
    (5, None, "Barriers", 1),
]
DOCUMENTS = [  # id, name, council id, phase, role
    (1, "a1.txt", 1, 1, "officer"),
    (2, "a2.txt", 1, 2, "member"),
    (3, "b1.txt", 2, 1, "officer"),
    (4, "b3.txt", 2, 3, "partner"),
    (5, "c2.txt", 3, 2, "officer"),
    (6, "c3.txt", 3, 3, "officer"),
    (7, "d3.txt", 4, 3, "member"),
    (8, "d1.txt", 4, 1, "officer"),
]
ALICE, BOB = 1, 2
CODINGS = [  # document, code, coder, start, end
    (1, 4, ALICE, 0, 20),
    (1, 3, ALICE, 0, 41),
    (1, 5, ALICE, 63, 83),
    (1, 4, BOB, 0, 20),
    (2, 3, ALICE, 42, 62),
    (2, 2, ALICE, 42, 62),
    (3, 4, ALICE, 21, 41),
    (3, 4, ALICE, 105, 125),
    (3, 5, BOB, 21, 41),
    (4, 3, BOB, 84, 125),
    (4, 5, BOB, 105, 125),
    (5, 2, ALICE, 0, 20),
    (5, 5, ALICE, 5, 15),
    (6, 3, ALICE, 147, 167),
    (6, 3, BOB, 147, 167),
    (7, 3, ALICE, 189, 209),
    (7, 4, ALICE, 168, 188),
]
VARIABLES = [  # id, name, type, levels
    (1, "region_type", "categorical", ["urban", "rural"]),
    (2, "innovation_score", "numeric", None),
    (3, "satisfaction", "ordinal", ["Low", "Medium", "High"]),
    (4, "beacon", "boolean", None),
]
CASE_VALUES = [  # variable, council, wave, value_num, value_text
    (1, 1, 1, None, "urban"),
    (1, 2, 1, None, "urban"),
    (1, 3, 1, None, "rural"),
    (1, 4, 1, None, "rural"),
    (1, 5, 1, None, "rural"),
    (2, 1, 1, 10, None),
    (2, 2, 1, 20, None),
    (2, 3, 1, 30, None),
    (2, 4, 1, 40, None),
    (2, 5, 1, 50, None),
    (2, 1, 2, -5, None),
    (2, 2, 2, 15, None),
    (2, 3, 2, 25, None),
    (2, 4, 2, 35, None),
    (3, 1, 1, 0, "Low"),
    (3, 2, 1, 2, "High"),
    (3, 3, 1, 1, "Medium"),
    (3, 4, 1, 2, "High"),
    (4, 1, 1, 1, "true"),
    (4, 2, 1, 0, "false"),
    (4, 3, 1, 1, "true"),
    (4, 4, 1, 0, "false"),
]


def build_project(path: Path) -> Project:
    project = Project.create(path)
    stamp = now()
    with project.transaction():
        project.set_meta("codebook_version", "test-1")
        for coder_id, name in ((ALICE, "alice"), (BOB, "bob")):
            project.execute(
                "INSERT INTO coders(id, uuid, name, created_at) VALUES (?,?,?,?)",
                (coder_id, new_uuid(), name, stamp),
            )
        for case_id, (code, name) in enumerate(COUNCILS, start=1):
            project.execute(
                "INSERT INTO cases(id, uuid, code, name, created_at) VALUES (?,?,?,?,?)",
                (case_id, new_uuid(), code, name, stamp),
            )
        for code_id, parent, name, order in CODES:
            project.execute(
                "INSERT INTO codes(id, uuid, parent_id, name, sort_order, created_at) VALUES (?,?,?,?,?,?)",
                (code_id, new_uuid(), parent, name, order, stamp),
            )
        sha = hashlib.sha256(TEXT.encode()).hexdigest()
        for doc_id, name, case_id, phase, role in DOCUMENTS:
            project.execute(
                "INSERT INTO documents(id, uuid, name, text, sha256, case_id, phase, role, word_count,"
                " imported_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?)",
                (doc_id, new_uuid(), name, TEXT, sha, case_id, phase, role, 40, stamp),
            )
            for i in range(SENTENCES):
                project.execute(
                    "INSERT INTO units(document_id, kind, seq, start, end) VALUES (?, 'sentence', ?, ?, ?)",
                    (doc_id, i, 21 * i, 21 * i + 20),
                )
            for seq, (start, end) in enumerate(((0, 104), (105, 209))):
                project.execute(
                    "INSERT INTO units(document_id, kind, seq, start, end, speaker)"
                    " VALUES (?, 'turn', ?, ?, ?, ?)",
                    (doc_id, seq, start, end, "R"),
                )
        for doc_id, code_id, coder_id, start, end in CODINGS:
            project.execute(
                "INSERT INTO codings(uuid, document_id, code_id, coder_id, start, end, created_at)"
                " VALUES (?,?,?,?,?,?,?)",
                (new_uuid(), doc_id, code_id, coder_id, start, end, stamp),
            )
        for var_id, name, kind, levels in VARIABLES:
            project.execute(
                "INSERT INTO variables(id, uuid, name, type, levels) VALUES (?,?,?,?,?)",
                (var_id, new_uuid(), name, kind, json.dumps(levels) if levels else None),
            )
        for row in CASE_VALUES:
            project.execute(
                "INSERT INTO case_values(variable_id, case_id, wave, value_num, value_text)"
                " VALUES (?,?,?,?,?)",
                row,
            )
    return project


def sentence(i: int) -> str:
    return TEXT[21 * i : 21 * i + 20]
