"""Write sunderland_officer_p1.docx, the Word example transcript, from the text below.

Run from anywhere: ``python transcripts_example/make_docx.py``. The interview is invented; the first
paragraph of the document says so. Each turn is one paragraph whose speaker label (in capitals) is bold.
"""

from datetime import datetime
from pathlib import Path

from docx import Document

OUTPUT = Path(__file__).resolve().parent / "sunderland_officer_p1.docx"

NOTICE = (
    "INVENTED EXAMPLE TRANSCRIPT for beacon-qual: the council is real, but the people, events and "
    "quotations are fictional."
)
TITLE = "Interview R04: officer, Sunderland City Council"
HEADER = "Beacon Scheme learning study, phase 1. Interviewer: Helen Baird. 21 June 2006."

TURNS = """\
HELEN BAIRD: Could you tell me about your job and how the Beacon Scheme has come into it?
R04: I'm the e-government programme manager, so for the last three years my life has been the target that \
every service should be available electronically by 2005. That was the big one from central government, and \
there was implementing electronic government money attached to it, so it had everyone's attention. The Beacon \
Scheme came into it because there was a Beacon theme on transforming services through e-government, and the \
councils that got it became the places you went to see how it was done.
HELEN BAIRD: Which places did you go to?
R04: I went to open days at two Beacon councils, and I sent a colleague to a third. We also had a learning \
event in Newcastle that the Improvement and Development Agency organised, where the Beacons each had a stand, a \
bit like a trade fair. You walked round, picked up their brochures and case studies, and had a coffee with \
whoever was on the stand.
HELEN BAIRD: What did you take from those?
R04: We took their customer relationship management specification more or less wholesale. One of the Beacons \
had published their procurement documents as part of their dissemination pack, which was very generous, and \
we used it as the basis of our own tender. We also took their service catalogue, the list of transactions \
they'd put online, and worked through it line by line. If they had it online, we put it on our plan. The \
thinking was simple: they've been judged the best, so if we replicate what they did we'll get what they got.
HELEN BAIRD: Did you?
R04: We got the technology. We hit the target, on paper. Ninety-something per cent of services e-enabled by \
the deadline. But the take-up was poor. People weren't using half of those online forms. And when I went \
back to the Beacon council a year later and talked to one of their team leaders over lunch, it became \
obvious that the technology wasn't the clever part. The clever part was that they'd redesigned the services \
behind the forms. They'd sat down with the benefits team and the planning team and worked out how the work \
should flow. None of that was in the specification, because it wasn't a thing you could specify. It was in \
the heads of half a dozen people who'd argued about it for two years.
HELEN BAIRD: So the knowledge that mattered wasn't in the pack.
R04: No. The pack was the explicit bit, the documents you can hand over. What we really needed was the tacit \
bit, the judgement about which services to redesign first and how to bring the staff with you. You only get \
that by working alongside people, and the open days weren't set up for that. They were set up to show \
visitors the finished article.
HELEN BAIRD: Who was driving the learning, would you say? Was it coming to you, or were you going after it?
R04: It was mostly coming to us. The Beacons were very active. They had dissemination plans, they had to \
report how many visitors they'd had, and they put a lot of effort into getting their message out. We were on \
the receiving end. I'd say we were quite passive learners at that stage. We had a target to hit and they had \
a product on the shelf.
HELEN BAIRD: What about your own organisation? How well placed was it to use what you found?
R04: Not very well, at first. We didn't have the in-house skills. Our IT team was small and mostly kept the \
lights on. So when we brought back the Beacon's specification, we had nobody who really understood why it \
was written the way it was. We could copy it but we couldn't interrogate it. I think the phrase people use \
now is absorptive capacity, and we didn't have much. We've built it up since, by recruiting a couple of \
business analysts, but in 2004 we were copying because we couldn't do anything else.
HELEN BAIRD: Was there support from the top?
R04: Strong support. The chief executive chaired the e-government board himself. But that support was \
focused on the target, because the target was what the government office was asking about. Nobody at the top \
was asking whether the services were better, only whether they were online. That shaped what we learned. \
We learned how to hit the target.
HELEN BAIRD: What would you do differently?
R04: I'd negotiate a secondment. Send one of my analysts to the Beacon for three months, or have one of theirs \
come to us. And I'd start with the services rather than the software. That's the lesson, really: you can \
imitate someone else's system very quickly, but you can't imitate the thinking that went into it.
HELEN BAIRD: Has Sunderland improved as a result of the work?
R04: In places. Council tax and benefits have improved a lot, because the manager there took the idea and \
redesigned her whole process around it. Planning hasn't moved. So it's patchy, and it's patchy in exactly \
the places where we just copied.
HELEN BAIRD: Thank you, that's very clear.
R04: My pleasure.
"""


def build() -> Document:
    document = Document()
    document.core_properties.author = "beacon-qual example data"
    document.core_properties.title = TITLE
    document.core_properties.created = datetime(2006, 6, 21)
    document.core_properties.modified = datetime(2006, 6, 21)
    document.add_paragraph(NOTICE)
    document.add_heading(TITLE, level=1)
    document.add_paragraph(HEADER)
    for line in TURNS.splitlines():
        label, text = line.split(": ", 1)
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}:").bold = True
        paragraph.add_run(f" {text}")
    return document


if __name__ == "__main__":
    build().save(OUTPUT)
    print(f"wrote {OUTPUT}")
