"""Speaker roles: which turns (and the sentences in them) are the interviewer's and which the respondent's.

The importer gives each turn and sentence its role as it writes them (``units.speaker_role``). Other writers of
units (revise, undo of a revision, REFI-QDA import) leave the role unset, and :func:`ensure_roles` works it
out before anything reads roles, so every reader sees every unit with a role. A role comes from the role set
for the label in the document (``speaker_roles``, kept across revisions), else from the label itself (see
:func:`infer_role`): the labels of the interviewing side (Interviewer, Q, I, ...)
and the names in the document's ``interviewer`` field are the interviewer; every other label is a respondent;
text before the first label is front matter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from beacon_qual.errors import BeaconError
from beacon_qual.store import Project, now
from beacon_qual.store import ingest as sql
from beacon_qual.store.lookup import document_name, document_text, resolve_document

ROLE_INTERVIEWER = "interviewer"
ROLE_RESPONDENT = "respondent"
ROLE_FRONT = "front"  # text before the first speaker label: front matter, not speech
SPEAKER_ROLES = (ROLE_INTERVIEWER, ROLE_RESPONDENT, ROLE_FRONT)
SPEAKER_CHOICES = (ROLE_RESPONDENT, ROLE_INTERVIEWER, "any")  # --speaker: whose speech to look at
NO_LABEL = ""  # the label of text without one, in speaker_roles

# Labels that name the one asking: Interviewer (2, (JS), ...), Int, Q, Q1, I, I2, and the other names the
# interviewing side goes by in transcripts (Researcher, Facilitator, Moderator).
_INTERVIEWER_LABEL = re.compile(
    r"(?:interviewer|researcher|facilitator|moderator)\b.*|int|[qi]\d{0,3}", re.IGNORECASE | re.DOTALL
)
_NAME_SEPARATORS = re.compile(r"\s*(?:[,;&/+]|\band\b)\s*", re.IGNORECASE)


def interviewer_names(interviewer: str | None) -> frozenset[str]:
    """The names in a document's ``interviewer`` field ('Tom Okafor; Ann Lee'), folded for comparison."""
    if not interviewer:
        return frozenset()
    return frozenset(_fold(name) for name in _NAME_SEPARATORS.split(interviewer) if name.strip())


def _fold(label: str) -> str:
    return " ".join(label.split()).casefold()


def infer_role(label: str | None, interviewers: frozenset[str], labelled: bool) -> str:
    """The role of a turn from its label alone: the interviewer's labels and names, else a respondent.

    Text without a label is front matter when the document has labelled turns, and the respondent's when it
    has none (a written answer, notes with no speakers told apart).
    """
    if label is None or not label.strip():
        return ROLE_FRONT if labelled else ROLE_RESPONDENT
    folded = _fold(label).strip(".:")
    if _INTERVIEWER_LABEL.fullmatch(folded) or folded in interviewers:
        return ROLE_INTERVIEWER
    return ROLE_RESPONDENT


def turn_roles(speakers: list[str | None], interviewer: str | None, settings: dict[str, str]) -> list[str]:
    """Each turn's role: the role set for its label (``settings``, '' for no label), else the inferred one."""
    labelled = any(speaker for speaker in speakers)
    names = interviewer_names(interviewer)
    return [settings.get(speaker or NO_LABEL) or infer_role(speaker, names, labelled) for speaker in speakers]


def sentence_roles(
    turns: list[tuple[int, int]], roles: list[str], sentences: list[tuple[int, int]]
) -> list[str]:
    """Each sentence's role: that of the turn it lies in (turns and sentences in text order; a sentence
    outside every turn is front matter)."""
    result: list[str] = []
    index = 0
    for start, _end in sentences:
        while index < len(turns) and turns[index][1] <= start:
            index += 1
        inside = index < len(turns) and turns[index][0] <= start
        result.append(roles[index] if inside else ROLE_FRONT)
    return result


# -- stored roles ----------------------------------------------------------------------------------------------

NO_LABEL_SHOWN = "(no label)"
ROLE_WORDS = {
    "interviewer": "interviewer",
    "respondent": "respondent",
    "front": ROLE_FRONT,
    "front matter": ROLE_FRONT,
}


def ensure_roles(project: Project) -> None:
    """Work out the role of every unit that has none yet (one indexed look-up when all have one)."""
    if not sql.units_lack_roles(project):
        return
    with project.transaction():
        pending = sql.documents_lacking_roles(project)
        for document_id in pending:
            assign_roles(project, document_id)


def assign_roles(project: Project, document_id: int) -> None:
    """Give every turn and sentence of a document its role. Call inside a transaction."""
    interviewer = sql.document_interviewer(project, document_id)
    settings = sql.role_settings(project, document_id)
    turns = sql.turns_in_order(project, document_id)
    sentences = sql.sentences_in_order(project, document_id)
    roles = turn_roles([t["speaker"] for t in turns], interviewer, settings)
    within = sentence_roles([(t["start"], t["end"]) for t in turns], roles, [(s[1], s[2]) for s in sentences])
    sql.set_unit_roles(
        project,
        [
            *((role, t["id"]) for t, role in zip(turns, roles)),
            *((role, s[0]) for s, role in zip(sentences, within)),
        ],
    )


@dataclass(frozen=True)
class Speaker:
    label: str  # as written; NO_LABEL_SHOWN for text without one
    turns: int
    words: int
    role: str
    set: bool  # True when set with a command, False when inferred


def document_speakers(project: Project, ref: str | int) -> tuple[int, str, list[Speaker]]:
    """A document's id, name and speaker labels in order of first appearance, with their roles."""
    ensure_roles(project)
    document_id = resolve_document(project, ref)
    name = document_name(project, document_id)
    text = document_text(project, document_id)
    assert name is not None  # resolve_document found the document
    settings = sql.role_settings(project, document_id)
    found: dict[str, list] = {}
    for speaker, start, end, role in sql.turns_with_roles(project, document_id):
        label = speaker or NO_LABEL
        entry = found.setdefault(label, [0, 0, role])
        entry[0] += 1
        entry[1] += len(text[start:end].split())
    speakers = [
        Speaker(label or NO_LABEL_SHOWN, turns, words, role, label in settings)
        for label, (turns, words, role) in found.items()
    ]
    return document_id, name, speakers


def set_speaker_roles(project: Project, ref: str | int, assignments: list[str]) -> list[tuple[str, str]]:
    """Set roles of a document's labels from 'Label=role' assignments; all of them or, on an error, none.

    'role' is interviewer, respondent or front (front matter, not speech), or 'inferred' to go back to the
    role the label gives. Returns the (label, role) pairs as set.
    """
    ensure_roles(project)
    document_id = resolve_document(project, ref)
    labels = [r[0] or NO_LABEL for r in sql.speaker_labels(project, document_id)]
    changes: list[tuple[str, str]] = []
    for assignment in assignments:
        label, sep, role_word = assignment.rpartition("=")
        if not sep or not label.strip() or not role_word.strip():
            raise BeaconError(f'{assignment!r} is not LABEL=ROLE (e.g. "Tom Okafor=interviewer")')
        label = _known_label(label, labels)
        word = " ".join(role_word.split()).casefold()
        if word != "inferred" and word not in ROLE_WORDS:
            raise BeaconError(
                f"unknown speaker role {role_word.strip()!r}; use {', '.join(SPEAKER_ROLES)} or inferred"
            )
        changes.append((label, ROLE_WORDS.get(word, "inferred")))
    with project.transaction():
        for label, role in changes:
            before = sql.role_set(project, document_id, label)
            if role == "inferred":
                sql.unset_role(project, document_id, label)
            else:
                sql.set_role(project, document_id, label, role, now())
            project.audit(
                "speakers.set",
                "speaker_roles",
                document_id,
                before={"label": label, "role": before},
                after={"label": label, "role": None if role == "inferred" else role},
            )
        assign_roles(project, document_id)
    return [(label or NO_LABEL_SHOWN, role) for label, role in changes]


def _known_label(written: str, labels: list[str]) -> str:
    wanted = " ".join(written.split())
    if wanted == NO_LABEL_SHOWN:
        wanted = NO_LABEL
    if wanted in labels:
        return wanted
    folded = [label for label in labels if label.casefold() == wanted.casefold()]
    if len(folded) == 1:
        return folded[0]
    shown = ", ".join(repr(label or NO_LABEL_SHOWN) for label in labels) or "none"
    raise BeaconError(f"the document has no speaker label {written.strip()!r} (labels: {shown})")


def speaker_filter(project: Project, speaker: str | None) -> str | None:
    """The role a --speaker value asks for ('respondent', 'interviewer'), None for any; roles made ready."""
    if speaker is None or speaker == "any":
        return None
    if speaker not in ("respondent", "interviewer"):
        raise BeaconError(f"unknown --speaker {speaker!r}; use {', '.join(SPEAKER_CHOICES)}")
    ensure_roles(project)
    return speaker
