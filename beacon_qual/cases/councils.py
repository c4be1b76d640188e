"""The 2008 council register, and the one function that matches a council reference to a case.

Everything that meets a council name or code (transcript headers, survey files, the command line)
resolves it with :func:`resolve_council`, or :func:`resolve_many` for a whole file, so a spelling
accepted in one place is understood everywhere. Matching tries, in order:

1. codes: local-authority code, GSS code, old ONS code, other known codes, only when the reference is
   written as a code ("RYE" or "rye" is Ryedale's code, "Rye" is a place word, not a code);
2. exact official and short names (case-insensitive);
3. aliases, compared in a normalised form (case, punctuation, '&'/'and', 'St'/'Saint', 'upon'/'on',
   county abbreviations), first whole, then with designations such as "City Council", "MBC" or
   "London Borough of" set aside; a designation left over then chooses between councils sharing a
   place name ("City of Durham" is the district, "Durham County Council" the county);
4. a fuzzy comparison (rapidfuzz), which never guesses: a best score below ``min_score``, or a
   second council within ``margin`` of the best, raises :class:`CouncilNotResolved` with the candidates.

Three things are refused rather than matched, each with the councils the reference might mean:

- a council created after 1 April 2008 ("Dorset Council", "Cumberland", "Cheshire East"), known from
  the shipped list of later councils (councils_later.csv) by its code, name or other names; it is
  "not a council on 1 April 2008" and its predecessors are listed;
- a reference written as a code that no 2008 council has ("DEN", "ORK", "E06000059"): it is never
  compared with names;
- a designation that fits none of the designations of the council the place name matched
  ("Lincoln County Council" for the City of Lincoln, "Hull District Council" for Hull).

A shortened place name that begins another council's name as well stands for both councils:
"Newcastle" is Newcastle upon Tyne or Newcastle-under-Lyme, so it is ambiguous unless a designation
settles it ("Newcastle Borough Council"). A council's own short name is never shortened in this sense:
"Chester", "Derbyshire" and "Wyre" are those councils, not Chester-le-Street, Derbyshire Dales or
Wyre Forest. When nothing matches, the candidates listed include every council with the reference
as a whole word of its name ("Kingston": upon Hull and upon Thames).
"""

from __future__ import annotations

import bisect
import csv
import functools
import re
import unicodedata
import weakref
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from beacon_qual.data import DATA_DIR
from beacon_qual.errors import BeaconError
from beacon_qual.store import Project, new_uuid, now
from beacon_qual.store import cases as sql

REGISTER_PATH = DATA_DIR / "councils_2008.csv"
LATER_PATH = DATA_DIR / "councils_later.csv"
REGISTER_DATE = "1 April 2008"
REGISTER_ATTRIBUTION = (
    "English councils on 1 April 2008, built from mySociety, uk_local_authority_names_and_codes "
    "(data CC-BY-4.0 (attribution: mySociety)) and the ONS/OS names and codes of the councils abolished "
    "on 1 April 2009 (from mySociety's mapit data); see beacon_qual/data/COUNCILS_README.md"
)
COUNCIL_TYPES = ("county", "district", "metropolitan", "london", "unitary")
REGISTER_SOURCE = "register"
CODE_SOURCE = "register:code"  # aliases that are codes (former GSS codes, later ONS codes)
DEFAULT_MIN_SCORE = 85.0
DEFAULT_MARGIN = 4.0
_FUZZY_LIMIT = 25
_CONTAINING_LIMIT = 8  # councils listed because their name holds the reference as a whole word

# -- the register ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterEntry:
    """One council of the shipped 2008 register (a row of councils_2008.csv)."""

    code: str
    name: str
    short_name: str
    type: str
    region: str
    gss_code: str
    ons_code: str
    other_codes: tuple[str, ...]
    alt_names: tuple[str, ...]
    notes: str


@functools.cache
def load_register() -> tuple[RegisterEntry, ...]:
    """The 388 councils of the shipped register, in file order."""
    with REGISTER_PATH.open(encoding="utf-8", newline="") as fh:
        return tuple(
            RegisterEntry(
                code=row["code"],
                name=row["name"],
                short_name=row["short_name"],
                type=row["type"],
                region=row["region"],
                gss_code=row["gss_code"],
                ons_code=row["ons_code"],
                other_codes=_split_list(row["other_codes"]),
                alt_names=_split_list(row["alt_names"]),
                notes=row["notes"],
            )
            for row in csv.DictReader(fh)
        )


def register_entry(code: str | None) -> RegisterEntry | None:
    """The register row with this local-authority code, if there is one."""
    if not code:
        return None
    return next((entry for entry in load_register() if entry.code == code), None)


@dataclass(frozen=True)
class LaterCouncil:
    """A council created after 1 April 2008 (a row of councils_later.csv), with its 2008 predecessors."""

    code: str
    name: str
    type: str
    start_date: str
    gss_code: str
    alt_names: tuple[str, ...]
    predecessors: tuple[str, ...]  # local-authority codes of the register


@functools.cache
def load_later() -> tuple[LaterCouncil, ...]:
    """The councils created after the register date, in file order (by start date)."""
    with LATER_PATH.open(encoding="utf-8", newline="") as fh:
        return tuple(
            LaterCouncil(
                code=row["code"],
                name=row["name"],
                type=row["type"],
                start_date=row["start_date"],
                gss_code=row["gss_code"],
                alt_names=_split_list(row["alt_names"]),
                predecessors=_split_list(row["predecessors"]),
            )
            for row in csv.DictReader(fh)
        )


@dataclass(frozen=True)
class _LaterIndex:
    codes: dict[str, LaterCouncil]
    norms: dict[str, LaterCouncil]
    cores: dict[str, LaterCouncil]


@functools.cache
def _later_index() -> _LaterIndex:
    index = _LaterIndex({}, {}, {})
    for later in load_later():
        for code in (later.code, later.gss_code):
            if code:
                index.codes.setdefault(code.casefold(), later)
        for name in (later.name, *later.alt_names):
            norm = normalise(name)
            core = split_designation(norm)[0]
            index.norms.setdefault(norm, later)
            if core:
                index.cores.setdefault(core, later)
    return index


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split("|") if part.strip())


# -- normalisation -----------------------------------------------------------------------------------

# Single letters stand for compass points only where a compass point can stand: first, after "and",
# or after another compass point ("N Yorks", "Bath and N E Somerset", but not "Stoke-n-Trent").
_COMPASS_LETTERS = {"n": "north", "s": "south", "e": "east", "w": "west"}
_COMPASS_AFTER = {"and", "north", "south", "east", "west"}
_WORD_SUBSTITUTES = {
    "saint": "st",
    "upon": "on",
    "boro": "borough",
    "met": "metropolitan",
    "dist": "district",
    "co": "county",
    "ne": "north east",
    "nw": "north west",
    "se": "south east",
    "sw": "south west",
    "beds": "bedfordshire",
    "bucks": "buckinghamshire",
    "cambs": "cambridgeshire",
    "derbys": "derbyshire",
    "glos": "gloucestershire",
    "gloucs": "gloucestershire",
    "hants": "hampshire",
    "herts": "hertfordshire",
    "lancs": "lancashire",
    "leics": "leicestershire",
    "lincs": "lincolnshire",
    "northants": "northamptonshire",
    "notts": "nottinghamshire",
    "oxon": "oxfordshire",
    "staffs": "staffordshire",
    "warks": "warwickshire",
    "wilts": "wiltshire",
    "worcs": "worcestershire",
    "yorks": "yorkshire",
}

COUNTY, CITY, DISTRICT, BOROUGH, METROPOLITAN, LONDON, UNITARY = (
    "county",
    "city",
    "district",
    "borough",
    "metropolitan",
    "london",
    "unitary",
)
Hints = tuple[frozenset[str], ...]  # each group: the designations of which at least one must fit


def _hints(*groups: str | tuple[str, ...]) -> Hints:
    return tuple(frozenset((g,) if isinstance(g, str) else g) for g in groups)


_SUFFIXES: dict[tuple[str, ...], Hints] = {
    tuple(phrase.split()): hints
    for phrase, hints in {
        "metropolitan borough council": _hints(METROPOLITAN, BOROUGH),
        "metropolitan district council": _hints(METROPOLITAN, DISTRICT),
        "metropolitan borough": _hints(METROPOLITAN, BOROUGH),
        "metropolitan district": _hints(METROPOLITAN, DISTRICT),
        "city and district council": _hints(CITY, DISTRICT),
        "city and district": _hints(CITY, DISTRICT),
        "london borough council": _hints(LONDON, BOROUGH),
        "london borough": _hints(LONDON, BOROUGH),
        "borough council": _hints(BOROUGH),
        "district council": _hints(DISTRICT),
        "county council": _hints(COUNTY),
        "city council": _hints(CITY),
        "unitary authority": _hints(UNITARY),
        "city of": _hints(CITY),
        "county of": _hints(COUNTY),
        "council": (),
        "corporation": (),
        "mbc": _hints(METROPOLITAN, BOROUGH),
        "mdc": _hints(METROPOLITAN, DISTRICT),
        "lbc": _hints(LONDON, BOROUGH),
        "lb": _hints(LONDON, BOROUGH),
        "rbc": _hints(BOROUGH),
        "bc": _hints(BOROUGH),
        "dc": _hints(DISTRICT),
        "cc": _hints((CITY, COUNTY)),
        "ua": _hints(UNITARY),
        "county": _hints(COUNTY),
        "city": _hints(CITY),
        "borough": _hints(BOROUGH),
        "district": _hints(DISTRICT),
        "metropolitan": _hints(METROPOLITAN),
    }.items()
}
_PREFIXES: dict[tuple[str, ...], Hints] = {
    tuple(phrase.split()): hints
    for phrase, hints in {
        "city and county of the": _hints(CITY, COUNTY),
        "city and county of": _hints(CITY, COUNTY),
        "metropolitan borough of": _hints(METROPOLITAN, BOROUGH),
        "london borough of": _hints(LONDON, BOROUGH),
        "royal borough of": _hints(BOROUGH),
        "borough council of": _hints(BOROUGH),
        "council of the": (),
        "council of": (),
        "borough of": _hints(BOROUGH),
        "district of": _hints(DISTRICT),
        "county of": _hints(COUNTY),
        "city of": _hints(CITY),
        "the": (),
        "lb": _hints(LONDON, BOROUGH),
        "rb": _hints(BOROUGH),
        "county": _hints(COUNTY),
    }.items()
}
# Names in which a designation is part of the place name itself.
_WHOLE_NAMES = {("city", "of", "london")}

_TYPE_HINTS = {
    "county": {COUNTY},
    "district": {DISTRICT},
    "metropolitan": {METROPOLITAN, BOROUGH, DISTRICT},
    "london": {LONDON, BOROUGH},
    "unitary": {UNITARY},
}
# Words that tell councils apart however similar the rest is ("West" vs "East Northamptonshire").
_DISTINGUISHING_WORDS = frozenset(
    {"north", "south", "east", "west", "mid", "central", "upper", "lower", "great", "little", "new", "old"}
)


# How a reference looks when it is written as a code: a local-authority code in capitals (or all
# lower case), a GSS code, or an old ONS code ("00CN", "20UE", "09").
_LA_CODE = re.compile(r"[A-Z]{3}|[a-z]{3}")
_NUMBERED_CODE = re.compile(r"[EWSNewsn]\d{8}|\d\d(?:[A-Za-z]{2}(?:[A-Za-z]{2})?)?")


def written_as_code(text: str) -> bool:
    """Whether ``text`` is written the way a council code is ("RYE", "rye", "E07000167", "36UF", not "Rye")."""
    return bool(_LA_CODE.fullmatch(text) or _NUMBERED_CODE.fullmatch(text))


def normalise(text: str) -> str:
    """The form a council name is compared in: lower case ASCII words, abbreviations expanded.

    >>> normalise("St. Helens MBC")
    'st helens mbc'
    >>> normalise("Kingston-upon-Hull City Council")
    'kingston on hull city council'
    >>> normalise("Bath & N.E. Somerset")
    'bath and north east somerset'
    >>> normalise("Stoke-n-Trent")
    'stoke n trent'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    plain = re.sub(r"['\u2018\u2019`]", "", plain.replace("&", " and "))
    words: list[str] = []
    for word in re.sub(r"[^0-9a-z]+", " ", plain).split():
        if word in _COMPASS_LETTERS and (not words or words[-1] in _COMPASS_AFTER):
            word = _COMPASS_LETTERS[word]
        words.extend(_WORD_SUBSTITUTES.get(word, word).split())
    return " ".join(words)


def split_designation(norm: str) -> tuple[str, Hints]:
    """Split a normalised name into its place name and the designations around it.

    >>> split_designation("london borough of camden")[0]
    'camden'
    >>> split_designation("city of durham")
    ('durham', (frozenset({'city'}),))
    """
    words = norm.split()
    hints: list[frozenset[str]] = []
    while True:
        stripped = _strip_once(words)
        if stripped is None:
            return " ".join(words), tuple(hints)
        words, found = stripped
        hints.extend(found)


def _strip_once(words: list[str]) -> tuple[list[str], Hints] | None:
    begins_whole_name = any(tuple(words[: len(name)]) == name for name in _WHOLE_NAMES)
    for table, at_start in ((_PREFIXES, True), (_SUFFIXES, False)):
        if at_start and begins_whole_name:
            continue
        for phrase in sorted(table, key=len, reverse=True):
            n = len(phrase)
            if len(words) <= n:
                continue
            if at_start and tuple(words[:n]) == phrase:
                return words[n:], table[phrase]
            if not at_start and tuple(words[-n:]) == phrase:
                return words[:-n], table[phrase]
    return None


def _distinguishing(text: str) -> frozenset[str]:
    return _DISTINGUISHING_WORDS.intersection(text.split())


# -- results and errors ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CouncilMatch:
    """How one reference resolved: the case, and by which rule (code, name, alias or fuzzy)."""

    case_id: int
    name: str
    code: str | None
    how: str
    score: float


@dataclass(frozen=True)
class Candidate:
    """A council a reference might mean, with its fuzzy score when it has one."""

    case_id: int
    name: str
    code: str | None
    type: str | None
    score: float | None = None

    def describe(self) -> str:
        """One line for a list of candidates: "[DUR] Durham County Council (county)"."""
        code = f"[{self.code}] " if self.code else ""
        facts = [
            fact for fact in (self.type, None if self.score is None else f"score {self.score:.0f}") if fact
        ]
        return f"{code}{self.name}" + (f" ({', '.join(facts)})" if facts else "")


class CouncilNotResolved(BeaconError):
    """A reference matched no council closely enough, or more than one; ``candidates`` says which.

    ``ambiguous`` is True when the reference fits several councils equally well, False when it
    fits none well enough. ``reason`` says why, in one word: ``unknown`` (nothing like it),
    ``similar`` (part of councils' names, or like them, but not clearly one), ``ambiguous``,
    ``later`` (a council created after 1 April 2008), ``code`` (a code no council has),
    ``designation`` (its designation contradicts the council its place name matched).
    """

    def __init__(
        self,
        message: str,
        ref: str,
        candidates: Iterable[Candidate] = (),
        *,
        ambiguous: bool = False,
        reason: str | None = None,
    ):
        self.ref = ref
        self.candidates = list(candidates)
        self.ambiguous = ambiguous
        self.reason = reason or ("ambiguous" if ambiguous else "unknown")
        super().__init__(message, details=[c.describe() for c in self.candidates])


# -- the matching index ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Case:
    id: int
    code: str | None
    name: str
    type: str | None
    hints: frozenset[str]

    def candidate(self, score: float | None = None) -> Candidate:
        return Candidate(self.id, self.name, self.code, self.type, score)


@dataclass
class _Index:
    """Every case and every spelling of it, normalised once, for repeated look-ups."""

    cases: dict[int, _Case] = field(default_factory=dict)
    by_code: dict[str, int] = field(default_factory=dict)  # local-authority code -> case id
    codes: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    exact_codes: set[str] = field(default_factory=set)  # codes as stored, for codes of any shape
    names: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    norms: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    cores: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    choices: list[str] = field(default_factory=list)
    choice_ids: list[frozenset[int]] = field(default_factory=list)
    choice_words: list[frozenset[str]] = field(default_factory=list)
    sorted_choices: list[tuple[str, int]] = field(default_factory=list)  # (text, position), by text
    vocabulary: frozenset[str] = frozenset()


_INDEX_CACHE: weakref.WeakKeyDictionary[Project, tuple[tuple[int, int], _Index]] = weakref.WeakKeyDictionary()


def _index(project: Project) -> _Index:
    """The matching index, rebuilt only after the project has changed."""
    key = sql.change_key(project)
    cached = _INDEX_CACHE.get(project)
    if cached is not None and cached[0] == key:
        return cached[1]
    index = _build_index(project)
    _INDEX_CACHE[project] = (key, index)
    return index


def _build_index(project: Project) -> _Index:
    index = _Index()
    spellings: dict[int, list[str]] = defaultdict(list)
    own_names: dict[int, set[str]] = {}
    rows = sql.cases_for_matching(project)
    for row in rows:
        if row["code"]:
            index.by_code[row["code"]] = row["id"]
        for code in (row["code"], row["gss_code"], row["ons_code"]):
            if code:
                index.codes[code.casefold()].add(row["id"])
                index.exact_codes.add(code)
        own_names[row["id"]] = {normalise(name) for name in (row["name"], row["short_name"]) if name}
        for name in (row["name"], row["short_name"]):
            if name:
                index.names[_exact(name)].add(row["id"])
                spellings[row["id"]].append(normalise(name))
    for case_id, alias, norm, source in sql.all_aliases(project):
        if source == CODE_SOURCE:
            index.codes[alias.casefold()].add(case_id)
            index.exact_codes.add(alias)
        else:
            spellings[case_id].append(norm)
    hints: dict[int, set[str]] = defaultdict(set)
    for case_id, norms in spellings.items():
        for norm in norms:
            core, found = split_designation(norm)
            index.norms[norm].add(case_id)
            index.cores[core].add(case_id)
            hints[case_id].update(*found)
    _share_shortened_names(index, own_names)
    for row in rows:
        own = hints[row["id"]] | _TYPE_HINTS.get(row["type"] or "", set())
        index.cases[row["id"]] = _Case(row["id"], row["code"], row["name"], row["type"], frozenset(own))
    choices: dict[str, set[int]] = defaultdict(set)
    for table in (index.norms, index.cores):
        for text, ids in table.items():
            if text:
                choices[text].update(ids)
    index.choices = list(choices)
    index.choice_ids = [frozenset(ids) for ids in choices.values()]
    index.choice_words = [_distinguishing(text) for text in index.choices]
    index.sorted_choices = sorted((text, pos) for pos, text in enumerate(index.choices))
    index.vocabulary = frozenset(word for text in index.choices for word in text.split())
    return index


def _share_shortened_names(index: _Index, own_names: dict[int, set[str]]) -> None:
    """Let a shortened place name stand also for the councils whose names it begins.

    "newcastle" (Newcastle City Council without its designation) begins "newcastle under lyme" too,
    so it stands for both councils; "chester" is Chester City Council's own short name and stays its.
    """
    begun: dict[str, set[int]] = defaultdict(set)
    for core, ids in index.cores.items():
        words = core.split()
        for n in range(1, len(words)):
            begun[" ".join(words[:n])].update(ids)
    for table in (index.norms, index.cores):
        for text, ids in table.items():
            others = begun.get(text, set()) - ids
            if others and not any(text in own_names.get(i, ()) for i in ids):
                ids |= others


def _exact(name: str) -> str:
    return " ".join(name.split()).casefold()


# -- resolving ---------------------------------------------------------------------------------------


def resolve_council(
    project: Project,
    ref: str,
    *,
    min_score: float = DEFAULT_MIN_SCORE,
    margin: float = DEFAULT_MARGIN,
) -> CouncilMatch:
    """Resolve a council name or code to exactly one case, or raise :class:`CouncilNotResolved`.

    ``min_score`` (0-100) is the lowest fuzzy score accepted; a second council scoring within
    ``margin`` of the best makes the reference ambiguous unless its designation settles it.
    """
    sole = _sole_code(project, ref)
    if sole is not None:
        return sole
    return _resolve(_index(project), ref, min_score, margin)


def _sole_code(project: Project, ref: str) -> CouncilMatch | None:
    """The match :func:`_resolve` gives for a council's own register code that no other case shares (as
    its code, GSS or ONS code, or a code alias, in any case), read with a few indexed look-ups instead of
    building the whole matching index: the workbench filters by the council
    of a matrix cell this way. None when the reference is anything else."""
    if not ref or not (ref.isascii() and ref.isalnum()):
        return None
    rows = sql.cases_with_code(project, ref)
    if len(rows) != 1:
        return None
    case_id, name, code = rows[0]
    folded = ref.casefold()
    others = sql.cases_sharing_code(project, case_id, folded, CODE_SOURCE)
    if others or split_designation(normalise(ref))[1]:
        return None
    return CouncilMatch(case_id, name, code, "code", 100.0)


def resolve_council_for_filter(project: Project, ref: str) -> CouncilMatch:
    """:func:`resolve_council` for a filter (``--council``): a match by similarity alone is refused with
    the council it resembles as the candidate, so that a typing slip never narrows an analysis, a search or
    a listing to a council nobody named."""
    match = resolve_council(project, ref)
    if match.how == "fuzzy":
        row = sql.case_code_and_type(project, match.case_id)
        candidate = Candidate(match.case_id, match.name, row[0] if row else None, row[1] if row else None)
        raise CouncilNotResolved(
            f"{ref!r} is only similar to {match.name} (score {match.score:.0f}); "
            "write the council's name or code",
            ref,
            [candidate],
            reason="similar",
        )
    return match


def resolve_many(
    project: Project,
    refs: Iterable[str],
    *,
    min_score: float = DEFAULT_MIN_SCORE,
    margin: float = DEFAULT_MARGIN,
) -> tuple[dict[str, CouncilMatch], dict[str, CouncilNotResolved]]:
    """Resolve many references against one index: (matches by reference, problems by reference).

    Each distinct reference is resolved once; repeated spellings cost nothing more.
    """
    index = _index(project)
    matches: dict[str, CouncilMatch] = {}
    problems: dict[str, CouncilNotResolved] = {}
    for ref in dict.fromkeys(refs):
        try:
            matches[ref] = _resolve(index, ref, min_score, margin)
        except CouncilNotResolved as exc:
            problems[ref] = exc
    return matches, problems


def _resolve(index: _Index, ref: str, min_score: float, margin: float) -> CouncilMatch:
    text = " ".join(ref.split())
    if not text:
        raise CouncilNotResolved("an empty council reference matches no council", ref)
    norm = normalise(text)
    core, hints = split_designation(norm)
    as_code = written_as_code(text) or text in index.exact_codes
    if as_code and text.casefold() in index.codes:
        return _pick(index, ref, index.codes[text.casefold()], "code", hints)
    if _exact(text) in index.names:
        return _pick(index, ref, index.names[_exact(text)], "name", hints)
    if not core:
        raise CouncilNotResolved(f"{ref!r} holds no letters or digits to match a council on", ref)
    if norm in index.norms:
        return _pick(index, ref, index.norms[norm], "alias", hints)
    later_index = _later_index()
    later = later_index.norms.get(norm) or (later_index.codes.get(text.casefold()) if as_code else None)
    if later is not None:
        raise _later_council(index, ref, later)
    if as_code and not text.islower():
        raise CouncilNotResolved(
            f"{ref!r} is written as a council code, but no council on {REGISTER_DATE} has that code; "
            "give the council's name or one of its codes",
            ref,
            reason="code",
        )
    if core in index.cores:
        return _pick(index, ref, index.cores[core], "alias", hints)
    if core in later_index.cores:
        raise _later_council(index, ref, later_index.cores[core])
    repaired = _repair(index, norm)
    queries = (repaired, split_designation(repaired)[0])
    # A mended reference scores no higher than its likeness to what was written.
    discount = fuzz.ratio(norm, repaired) / 100
    return _fuzzy(index, ref, queries, hints, min_score, margin, discount)


def _later_council(index: _Index, ref: str, later: LaterCouncil) -> CouncilNotResolved:
    """The refusal of a council created after the register date, listing the councils it succeeded."""
    before = [index.by_code[code] for code in later.predecessors if code in index.by_code]
    names = [index.cases[i].name for i in before] or list(later.predecessors)
    created = later.start_date[:4]
    same = normalise(ref) == normalise(later.name)
    return CouncilNotResolved(
        f"{ref!r} is {'' if same else f'{later.name}, '}not a council on {REGISTER_DATE} "
        f"(created {created}; successor of {_listed(names)})",
        ref,
        [index.cases[i].candidate() for i in before],
        reason="later",
    )


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _repair(index: _Index, norm: str) -> str:
    """Mend the words that tell councils apart before a fuzzy comparison.

    A word glued to the next ("EastHampshire", "NorthDevon") is split when the glued word is unknown
    and its remainder is known ("Eastleigh" stays whole), and a misspelt one ("Soth", "Nrth") becomes
    the one word it is a letter away from; otherwise the fuzzy step could never accept such a reference,
    since it refuses councils whose distinguishing words differ.
    """
    words: list[str] = []
    for word in norm.split():
        if word in index.vocabulary:
            words.append(word)
            continue
        glued = next(
            (
                d
                for d in _DISTINGUISHING_WORDS
                if word.startswith(d) and word[len(d) :] in index.vocabulary and len(word) > len(d) + 2
            ),
            None,
        )
        near = [d for d in _DISTINGUISHING_WORDS if len(word) >= 3 and Levenshtein.distance(word, d) == 1]
        if glued:
            words += [glued, word[len(glued) :]]
        elif len(near) == 1:
            words.append(near[0])
        else:
            words.append(word)
    return " ".join(words)


def _pick(
    index: _Index, ref: str, ids: Iterable[int], how: str, hints: Hints, score: float = 100.0
) -> CouncilMatch:
    ids = sorted(ids, key=lambda i: index.cases[i].name)
    chosen = ids if len(ids) == 1 else _fitting(index, ids, hints)
    if len(chosen) == 1:
        case = index.cases[chosen[0]]
        _check_designation(index, ref, case, hints)
        return CouncilMatch(case.id, case.name, case.code, how, round(score, 1))
    raise CouncilNotResolved(
        f"{ref!r} could be any of {len(ids)} councils; give the full name or a code",
        ref,
        [index.cases[i].candidate() for i in ids],
        ambiguous=True,
    )


def _check_designation(index: _Index, ref: str, case: _Case, hints: Hints) -> None:
    """Refuse a match whose designations all contradict the council's own ("Lincoln County Council").

    The candidates are the matched council and the councils whose names begin with the same place word
    and fit the designation (Lincolnshire County Council).
    """
    if not hints or any(group & case.hints for group in hints):
        return
    said = " / ".join(" or ".join(sorted(group)) for group in hints)
    core = split_designation(normalise(ref))[0]
    first = core.split()[0] if core else ""
    others: set[int] = set()
    at = bisect.bisect_left(index.sorted_choices, (first, -1)) if first else len(index.sorted_choices)
    for text, pos in index.sorted_choices[at:]:
        if not text.startswith(first):
            break
        others.update(index.choice_ids[pos])
    others.discard(case.id)
    fitting = [i for i in sorted(others, key=lambda i: index.cases[i].name) if _fits(index.cases[i], hints)]
    raise CouncilNotResolved(
        f"{ref!r} says {said}, which does not fit {case.name} ({case.type or 'no type'}) that its place "
        "name matches; give the council's name or a code",
        ref,
        [case.candidate(), *(index.cases[i].candidate() for i in fitting[: _CONTAINING_LIMIT - 1])],
        reason="designation",
    )


def _fits(case: _Case, hints: Hints) -> bool:
    return all(group & case.hints for group in hints)


def _fitting(index: _Index, ids: list[int], hints: Hints) -> list[int]:
    """The councils whose own designations fit the most designations the reference gave.

    "City of Durham BC" fits the City of Durham on "city" and the county on nothing, so it is the city;
    "Durham CC" fits both (a city council or a county council), so both stay.
    """
    fits = {i: sum(1 for group in hints if group & index.cases[i].hints) for i in ids}
    best = max(fits.values(), default=0)
    return [i for i in ids if fits[i] == best] if best else ids


def _fuzzy(
    index: _Index,
    ref: str,
    queries: tuple[str, str],
    hints: Hints,
    min_score: float,
    margin: float,
    discount: float,
) -> CouncilMatch:
    scores: dict[int, float] = {}
    for query in dict.fromkeys(q for q in queries if q):
        words = _distinguishing(query)
        for _, score, pos in process.extract(query, index.choices, scorer=fuzz.ratio, limit=_FUZZY_LIMIT):
            if index.choice_words[pos] != words:
                continue
            for case_id in index.choice_ids[pos]:
                scores[case_id] = max(scores.get(case_id, 0.0), score * discount)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], index.cases[item[0]].name))
    if not ranked or ranked[0][1] < min_score:
        containing = _containing(index, queries[1], hints, scores)
        nearest = containing + [i for i, _ in ranked[:3]]
        raise CouncilNotResolved(
            f"no council matches {ref!r}" + ("; the nearest are below" if nearest else ""),
            ref,
            [index.cases[i].candidate(_rounded(scores.get(i))) for i in dict.fromkeys(nearest)],
            reason="similar" if containing else "unknown",
        )
    best = ranked[0][1]
    close = [case_id for case_id, score in ranked if score >= best - margin]
    fitting = _fitting(index, close, hints) if len(close) > 1 else close
    if len(fitting) == 1:
        case = index.cases[fitting[0]]
        _check_designation(index, ref, case, hints)
        return CouncilMatch(case.id, case.name, case.code, "fuzzy", round(scores[case.id], 1))
    raise CouncilNotResolved(
        f"{ref!r} is about equally close to {len(close)} councils; give the full name or a code",
        ref,
        [index.cases[i].candidate(round(scores[i], 1)) for i in close],
        ambiguous=True,
    )


def _containing(index: _Index, core: str, hints: Hints, scores: dict[int, float]) -> list[int]:
    """Councils with ``core`` as whole words of one of their names, those fitting ``hints`` first.

    "Kingston" is in "Kingston upon Hull" and "Kingston upon Thames", however low their fuzzy scores.
    """
    if not core:
        return []
    padded = f" {core} "
    ids = {
        i for pos, text in enumerate(index.choices) if padded in f" {text} " for i in index.choice_ids[pos]
    }
    fitting = set(_fitting(index, sorted(ids), hints)) if hints else set()
    ranked = sorted(ids, key=lambda i: (i not in fitting, -scores.get(i, 0.0), index.cases[i].name))
    return ranked[:_CONTAINING_LIMIT]


def _rounded(score: float | None) -> float | None:
    return None if score is None else round(score, 1)


# -- writing -----------------------------------------------------------------------------------------


def seed_cases(project: Project) -> int:
    """Add the register's councils and all their spellings; return how many councils were new.

    Councils already present (by local-authority code) are kept as they are; their missing spellings
    are added. Seeding twice adds nothing. One transaction: all or nothing.
    """
    entries = load_register()
    with project.transaction():
        existing = sql.case_ids_by_code(project)
        added = aliases = 0
        for entry in entries:
            case_id = existing.get(entry.code)
            if case_id is None:
                case_id = _insert_case(project, entry)
                added += 1
            aliases += _insert_register_aliases(project, case_id, entry)
        if added or aliases:
            project.audit(
                "cases.seed", "cases", None, after={"councils_added": added, "aliases_added": aliases}
            )
            project.set_meta("council_register", REGISTER_ATTRIBUTION)
    return added


def _insert_case(project: Project, entry: RegisterEntry) -> int:
    return sql.insert_council(
        project,
        (
            new_uuid(),
            entry.code,
            entry.gss_code or None,
            entry.ons_code or None,
            entry.name,
            entry.short_name or None,
            entry.type,
            entry.region or None,
            now(),
        ),
    )


def _insert_register_aliases(project: Project, case_id: int, entry: RegisterEntry) -> int:
    rows = [
        (name, normalise(name), REGISTER_SOURCE) for name in (entry.name, entry.short_name, *entry.alt_names)
    ]
    rows += [(code, code.casefold(), CODE_SOURCE) for code in entry.other_codes]
    inserted = 0
    for alias, norm, source in rows:
        if alias and norm:
            inserted += sql.insert_alias(project, case_id, alias, norm, source)
    return inserted


def remember_alias(project: Project, case_id: int, alias: str, source: str = "user") -> bool:
    """Remember that ``alias`` means case ``case_id``; False when it was already known.

    Refuses a spelling that on its own already resolves to a different council, or could mean several
    ("Durham", "Newcastle"): remembering it would silently re-point it for the whole project. Such a
    spelling can still be matched by hand for one file.
    """
    alias = " ".join(alias.split())
    norm = normalise(alias)
    if not norm:
        raise BeaconError(f"alias {alias!r} holds no letters or digits to match a council on")
    name = sql.case_name(project, case_id)
    if name is None:
        raise BeaconError(f"no case with id {case_id}")
    _check_alias_is_free(project, case_id, alias, name)
    with project.transaction():
        added = sql.insert_alias(project, case_id, alias, norm, source)
        if added:
            project.audit(
                "case_alias.add",
                "case_aliases",
                case_id,
                after={"case_id": case_id, "alias": alias, "norm": norm, "source": source},
            )
    return bool(added)


def remembered_aliases(project: Project) -> list[tuple[str, int, str, str | None, str]]:
    """Spellings remembered in this project (not the register's): (spelling, case id, council, code, source)."""
    return [
        tuple(row)  # type: ignore[misc]
        for row in sql.aliases_not_from(project, (REGISTER_SOURCE, CODE_SOURCE))
    ]


def forget_alias(project: Project, spelling: str) -> list[tuple[str, str]]:
    """Forget a remembered spelling (compared normalised); return what was removed: (spelling, council).

    The register's own names and codes cannot be removed: they are what the register says.
    """
    norm = normalise(" ".join(spelling.split()))
    rows = sql.aliases_with_norm(project, norm)
    removable = [r for r in rows if (r["source"] or "") not in (REGISTER_SOURCE, CODE_SOURCE)]
    if not removable:
        if rows:
            raise BeaconError(
                f"{spelling!r} is a spelling of the register ({rows[0]['name']}), not a remembered one"
            )
        raise BeaconError(
            f"{spelling!r} is not a remembered spelling; 'cases aliases' lists them",
        )
    with project.transaction():
        for r in removable:
            sql.delete_alias(project, r["case_id"], r["norm"])
            project.audit(
                "case_alias.remove",
                "case_aliases",
                r["case_id"],
                before={
                    "case_id": r["case_id"],
                    "alias": r["alias"],
                    "norm": r["norm"],
                    "source": r["source"],
                },
            )
    return [(r["alias"], r["name"]) for r in removable]


def _check_alias_is_free(project: Project, case_id: int, alias: str, name: str) -> None:
    """Raise unless ``alias`` on its own matches no council, or only case ``case_id``."""
    try:
        match = resolve_council(project, alias)
    except CouncilNotResolved as exc:
        if exc.ambiguous:
            raise BeaconError(
                f"{alias!r} could mean any of {len(exc.candidates)} councils on its own, so it is not "
                f"remembered as {name}",
                details=exc.details,
            ) from None
        return
    if match.case_id == case_id:
        return
    if match.how == "fuzzy":
        raise BeaconError(
            f"{alias!r} is close to {match.name} (score {match.score:.0f}); it cannot also mean {name}"
        )
    raise BeaconError(f"{alias!r} already stands for {match.name}; it cannot also mean {name}")


# -- reading -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRecord:
    id: int
    code: str | None
    name: str
    short_name: str | None
    type: str | None
    region: str | None
    gss_code: str | None
    ons_code: str | None


@dataclass(frozen=True)
class CaseDetails:
    case: CaseRecord
    aliases: list[tuple[str, str]]  # (spelling, source)
    documents: int
    survey_values: int
    survey_variables: int
    waves: tuple[int, ...]
    note: str


def list_cases(project: Project, *, type: str | None = None, region: str | None = None) -> list[CaseRecord]:
    """Cases ordered by name, optionally only one type and/or one region (case-insensitive)."""
    if region is not None:
        regions = sql.regions(project)
        if region.casefold() not in {r.casefold() for r in regions}:
            raise BeaconError(
                f"no cases in region {region!r}", details=[f"regions: {', '.join(sorted(regions))}"]
            )
    return [CaseRecord(*row) for row in sql.case_rows(project, type, region)]


def case_details(project: Project, case_id: int) -> CaseDetails:
    """One case with its spellings and how much material is linked to it."""
    row = sql.case_row(project, case_id)
    if row is None:
        raise BeaconError(f"no case with id {case_id}")
    case = CaseRecord(*row)
    aliases = [(alias, source or "") for alias, source in sql.aliases_of_case(project, case_id)]
    values, variables = sql.survey_value_counts(project, case_id)
    waves = tuple(w for (w,) in sql.survey_waves_of_case(project, case_id))
    entry = register_entry(case.code)
    return CaseDetails(
        case=case,
        aliases=aliases,
        documents=sql.document_count_of_case(project, case_id),
        survey_values=values,
        survey_variables=variables,
        waves=waves,
        note=entry.notes if entry is not None else "",
    )
