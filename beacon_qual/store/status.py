"""A summary of what a project holds."""

from __future__ import annotations

from beacon_qual.store import Project


def project_status(project: Project) -> list[tuple[str, str]]:
    q = project.scalar
    rows = [
        ("project", str(project.path)),
        ("councils (cases)", str(q("SELECT count(*) FROM cases WHERE kind = 'council'"))),
        ("organisations (cases)", str(q("SELECT count(*) FROM cases WHERE kind = 'organisation'"))),
        ("documents", str(q("SELECT count(*) FROM documents"))),
        ("  words", str(q("SELECT coalesce(sum(word_count), 0) FROM documents"))),
        (
            "  councils covered",
            str(
                q(
                    "SELECT count(DISTINCT case_id) FROM documents "
                    "WHERE case_id IN (SELECT id FROM cases WHERE kind = 'council')"
                )
            ),
        ),
        ("  with no case", str(q("SELECT count(*) FROM documents WHERE case_id IS NULL"))),
        (
            "  phases",
            ", ".join(
                str(r[0])
                for r in project.execute(
                    "SELECT DISTINCT phase FROM documents WHERE phase IS NOT NULL ORDER BY phase"
                )
            )
            or "-",
        ),
        ("speaker turns", str(q("SELECT count(*) FROM units WHERE kind = 'turn'"))),
        ("sentences", str(q("SELECT count(*) FROM units WHERE kind = 'sentence'"))),
        ("codes", str(q("SELECT count(*) FROM codes"))),
        ("codings", str(q("SELECT count(*) FROM codings"))),
        ("coders", ", ".join(r[0] for r in project.execute("SELECT name FROM coders ORDER BY name")) or "-"),
        ("survey variables", str(q("SELECT count(*) FROM variables"))),
        ("memos", str(q("SELECT count(*) FROM memos"))),
    ]
    return rows
