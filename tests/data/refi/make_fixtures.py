"""Write the .qdpx fixtures of this folder (invented data; see README.md).

    /tmp/venv/bin/python tests/data/refi/make_fixtures.py

Offsets in the XML were counted by hand on the texts below, the way the imitated tool counts.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx

HERE = Path(__file__).resolve().parent

# -- atlas_like.qdpx -------------------------------------------------------------------------------
# Stored by the other tool with a BOM and CRLF: code point 0 is the BOM, each CRLF is two.
KENT_TEXT = (
    "\ufeffInterviewer: How did Kent learn from other councils?\r\n"
    "Officer: We went on a site visit to Essex.\r\n"
    "Officer: Then we adapted their forms to our districts.\r\n"
)
# 'We went on a site visit to Essex.' is 64-97, 'Essex.\r\nOfficer: Then' 91-112,
# 'adapted their forms' 116-135; the text is 155 code points long.
HULL_PARAGRAPHS = ["Member: Hull learnt from Leeds.", "Member: We set up a joint board with the PCT."]
# docx text as paragraphs joined by LF: 'a joint board' is 50-63.
CAMDEN_TEXT = "Partner: Camden shared its toolkit with us.\n"
# 'shared its toolkit' is 16-34.
NOTE_TEXT = "Overall the visits mattered more than the documents.\r\n"

ATLAS_QDE = """<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<Project xmlns="urn:QDA-XML:project:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 origin="Imitated tool 8.4" name="Council learning (invented)"
 creatingUserGUID="AD68FBE7-E1EE-4A82-A279-23CC698C89EB">
 <Users>
  <User guid="AD68FBE7-E1EE-4A82-A279-23CC698C89EB" name="Ruth Analyst"/>
  <User guid="{C32A2BD5-537F-4838-8B17-DF9EFBAFDF4B}" name="Sam Coder"/>
 </Users>
 <CodeBook>
  <Codes>
   <Code guid="{5215CC69-B628-4E02-AFB9-9BEEAEE55808}" name="Learning" isCodable="false">
    <Description>Learning between councils</Description>
    <Code guid="D7AA29DA-519B-4946-9B90-253B6DB8FD0A" name="Peer visit" isCodable="true" color="#F00082"/>
    <Code guid="0DCEF2F5-E55C-49DA-8C33-9B0803C7AEB4" name="Adaptation" isCodable="true" color="#0c0">
     <Description>Changing a practice to fit</Description>
    </Code>
   </Code>
   <Code guid="7C108712-B650-4892-AC0B-FC9A10190C3B" name="Partnership" isCodable="true"/>
  </Codes>
 </CodeBook>
 <Variables>
  <Variable guid="11111111-AAAA-4AAA-8AAA-000000000001" name="Population" typeOfVariable="Integer"/>
  <Variable guid="11111111-AAAA-4AAA-8AAA-000000000002" name="Beacon status" typeOfVariable="Text"/>
  <Variable guid="11111111-AAAA-4AAA-8AAA-000000000003" name="Visited" typeOfVariable="Boolean"/>
  <Variable guid="11111111-AAAA-4AAA-8AAA-000000000004" name="Interview language" typeOfVariable="Text"/>
 </Variables>
 <Cases>
  <Case guid="{22222222-BBBB-4BBB-8BBB-000000000001}" name="Kent County Council">
   <VariableValue><VariableRef targetGUID="11111111-AAAA-4AAA-8AAA-000000000001"/><IntegerValue>1400000</IntegerValue></VariableValue>
   <VariableValue><VariableRef targetGUID="11111111-AAAA-4AAA-8AAA-000000000002"/><TextValue>Beacon</TextValue></VariableValue>
   <VariableValue><VariableRef targetGUID="11111111-AAAA-4AAA-8AAA-000000000003"/><BooleanValue>true</BooleanValue></VariableValue>
   <SourceRef targetGUID="AAAAAAAA-0000-4000-8000-000000000001"/>
  </Case>
  <Case guid="22222222-BBBB-4BBB-8BBB-000000000002" name="Hull City Council">
   <CodeRef targetGUID="7C108712-B650-4892-AC0B-FC9A10190C3B"/>
   <VariableValue><VariableRef targetGUID="11111111-AAAA-4AAA-8AAA-000000000003"/><BooleanValue>0</BooleanValue></VariableValue>
   <SourceRef targetGUID="AAAAAAAA-0000-4000-8000-000000000002"/>
  </Case>
 </Cases>
 <Sources>
  <TextSource guid="AAAAAAAA-0000-4000-8000-000000000001" name="Kent officer interview.txt"
   plainTextPath="internal://{AAAAAAAA-0000-4000-8000-000000000001}.txt"
   creatingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB" creationDateTime="2018-03-27T18:01:07Z">
   <PlainTextSelection guid="E0000000-0000-4000-8000-000000000001" name="We went on a site visit to Essex."
    startPosition="64" endPosition="97" creatingUser="{C32A2BD5-537F-4838-8B17-DF9EFBAFDF4B}">
    <Description>The visit is the turning point</Description>
    <Coding guid="C0000000-0000-4000-8000-000000000001">
     <CodeRef targetGUID="{D7AA29DA-519B-4946-9B90-253B6DB8FD0A}"/>
    </Coding>
    <NoteRef targetGUID="90000000-0000-4000-8000-000000000001"/>
   </PlainTextSelection>
   <PlainTextSelection guid="E0000000-0000-4000-8000-000000000002" name="Essex. Officer: Then"
    startPosition="91" endPosition="112">
    <Coding guid="C0000000-0000-4000-8000-000000000002" creatingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB">
     <CodeRef targetGUID="0DCEF2F5-E55C-49DA-8C33-9B0803C7AEB4"/>
    </Coding>
   </PlainTextSelection>
   <PlainTextSelection guid="E0000000-0000-4000-8000-000000000003" name="adapted their forms"
    startPosition="116" endPosition="135" creatingUser="C32A2BD5-537F-4838-8B17-DF9EFBAFDF4B">
    <Coding guid="C0000000-0000-4000-8000-000000000003" creatingUser="C32A2BD5-537F-4838-8B17-DF9EFBAFDF4B">
     <CodeRef targetGUID="0DCEF2F5-E55C-49DA-8C33-9B0803C7AEB4"/>
    </Coding>
    <Coding guid="C0000000-0000-4000-8000-000000000004" creatingUser="C32A2BD5-537F-4838-8B17-DF9EFBAFDF4B">
     <CodeRef targetGUID="D7AA29DA-519B-4946-9B90-253B6DB8FD0A"/>
    </Coding>
   </PlainTextSelection>
   <PlainTextSelection guid="E0000000-0000-4000-8000-000000000004" name="past the end"
    startPosition="150" endPosition="170">
    <Coding guid="C0000000-0000-4000-8000-000000000005"><CodeRef targetGUID="7C108712-B650-4892-AC0B-FC9A10190C3B"/></Coding>
   </PlainTextSelection>
   <PlainTextSelection guid="E0000000-0000-4000-8000-000000000005" name="Interviewer" startPosition="1" endPosition="12">
    <Description>a quotation nobody coded</Description>
   </PlainTextSelection>
  </TextSource>
  <TextSource guid="AAAAAAAA-0000-4000-8000-000000000002" name="Hull member interview.docx"
   richTextPath="internal://AAAAAAAA-0000-4000-8000-000000000002.docx">
   <PlainTextSelection guid="E0000000-0000-4000-8000-000000000006" name="a joint board"
    startPosition="50" endPosition="63" creatingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB">
    <Coding guid="C0000000-0000-4000-8000-000000000006"><CodeRef targetGUID="7C108712-B650-4892-AC0B-FC9A10190C3B"/></Coding>
   </PlainTextSelection>
  </TextSource>
  <TextSource guid="AAAAAAAA-0000-4000-8000-000000000003" name="Camden partner interview.txt"
   plainTextPath="AAAAAAAA-0000-4000-8000-000000000003.txt">
   <PlainTextSelection guid="E0000000-0000-4000-8000-000000000007" startPosition="16" endPosition="34"
    creatingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB">
    <Coding guid="C0000000-0000-4000-8000-000000000007"><CodeRef targetGUID="D7AA29DA-519B-4946-9B90-253B6DB8FD0A"/></Coding>
   </PlainTextSelection>
   <VariableValue><VariableRef targetGUID="11111111-AAAA-4AAA-8AAA-000000000004"/><TextValue>English</TextValue></VariableValue>
  </TextSource>
  <PictureSource guid="F0000000-0000-4000-8000-000000000001" name="visit-photo.jpg"
   path="internal://F0000000-0000-4000-8000-000000000001.jpg">
   <PictureSelection guid="F0000000-0000-4000-8000-000000000002" firstX="1" firstY="1" secondX="20" secondY="20">
    <Coding guid="C0000000-0000-4000-8000-000000000008"><CodeRef targetGUID="D7AA29DA-519B-4946-9B90-253B6DB8FD0A"/></Coding>
   </PictureSelection>
   <NoteRef targetGUID="90000000-0000-4000-8000-000000000003"/>
  </PictureSource>
  <PDFSource guid="F0000000-0000-4000-8000-000000000003" name="Beacon application.pdf"
   path="internal://F0000000-0000-4000-8000-000000000003.pdf"/>
  <VideoSource guid="F0000000-0000-4000-8000-000000000004" name="Open day.mp4"
   path="relative:///media/open-day.mp4"/>
 </Sources>
 <Notes>
  <Note guid="90000000-0000-4000-8000-000000000001" name="On the visit" creatingUser="C32A2BD5-537F-4838-8B17-DF9EFBAFDF4B">
   <PlainTextContent>Ask Essex for their version of the forms.</PlainTextContent>
  </Note>
  <Note guid="{90000000-0000-4000-8000-000000000002}" name="Research diary"
   plainTextPath="internal://90000000-0000-4000-8000-000000000002.txt"/>
  <Note guid="90000000-0000-4000-8000-000000000003" name="Photo note">
   <PlainTextContent>Taken at the open day.</PlainTextContent>
  </Note>
  <Note guid="90000000-0000-4000-8000-000000000004" name="About Hull">
   <PlainTextContent>Hull had just joined the scheme.</PlainTextContent>
  </Note>
 </Notes>
 <Links>
  <Link guid="80000000-0000-4000-8000-000000000001" name="leads to" direction="OneWay"
   originGUID="D7AA29DA-519B-4946-9B90-253B6DB8FD0A" targetGUID="0DCEF2F5-E55C-49DA-8C33-9B0803C7AEB4"/>
  <Link guid="80000000-0000-4000-8000-000000000002" name="Memo-Case Relation" direction="OneWay"
   originGUID="90000000-0000-4000-8000-000000000004" targetGUID="22222222-BBBB-4BBB-8BBB-000000000002"/>
 </Links>
 <Sets>
  <Set guid="70000000-0000-4000-8000-000000000001" name="Officers">
   <MemberSource targetGUID="AAAAAAAA-0000-4000-8000-000000000001"/>
  </Set>
 </Sets>
 <Graphs>
  <Graph guid="60000000-0000-4000-8000-000000000001" name="Learning network">
   <Vertex guid="60000000-0000-4000-8000-000000000002" representedGUID="D7AA29DA-519B-4946-9B90-253B6DB8FD0A"
    firstX="1" firstY="1"/>
  </Graph>
 </Graphs>
 <NoteRef targetGUID="90000000-0000-4000-8000-000000000002"/>
</Project>
"""

# -- inline_crlf.qdpx ---------------------------------------------------------------------------------
# Inline text with CRLF; this tool counts each CRLF as one code point, so in its text
# 'We learnt from Leeds.' is 9-30 and 'The board met monthly.' 39-61.
INLINE_QDE = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Inline (invented)">
 <Users><User guid="b1b1b1b1-0000-4000-8000-000000000001" name="Pat"/></Users>
 <CodeBook><Codes>
  <Code guid="c1c1c1c1-0000-4000-8000-000000000001" name="Learning" isCodable="true"/>
 </Codes></CodeBook>
 <Sources>
  <TextSource guid="d1d1d1d1-0000-4000-8000-000000000001" name="Leeds notes">
   <PlainTextContent>Officer: We learnt from Leeds.&#13;
Member: The board met monthly.&#13;
</PlainTextContent>
   <PlainTextSelection guid="e1e1e1e1-0000-4000-8000-000000000001" name="We learnt from Leeds."
    startPosition="9" endPosition="30" creatingUser="b1b1b1b1-0000-4000-8000-000000000001">
    <Coding guid="f1f1f1f1-0000-4000-8000-000000000001"><CodeRef targetGUID="c1c1c1c1-0000-4000-8000-000000000001"/></Coding>
   </PlainTextSelection>
   <PlainTextSelection guid="e1e1e1e1-0000-4000-8000-000000000002" name="The board met monthly."
    startPosition="39" endPosition="61" creatingUser="b1b1b1b1-0000-4000-8000-000000000001">
    <Coding guid="f1f1f1f1-0000-4000-8000-000000000002"><CodeRef targetGUID="c1c1c1c1-0000-4000-8000-000000000001"/></Coding>
   </PlainTextSelection>
  </TextSource>
 </Sources>
</Project>
"""


def docx_bytes(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def write_archive(path: Path, members: list[tuple[str, bytes]]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2019, 3, 18, 12, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)


def main() -> None:
    write_archive(
        HERE / "atlas_like.qdpx",
        [
            ("Project.qde", ATLAS_QDE.encode("utf-8")),
            ("Sources/AAAAAAAA-0000-4000-8000-000000000001.TXT", KENT_TEXT.encode("utf-8")),
            ("Sources/AAAAAAAA-0000-4000-8000-000000000002.docx", docx_bytes(HULL_PARAGRAPHS)),
            ("Sources/AAAAAAAA-0000-4000-8000-000000000003.txt", CAMDEN_TEXT.encode("utf-8")),
            ("Sources/90000000-0000-4000-8000-000000000002.txt", NOTE_TEXT.encode("utf-8")),
            ("Sources/F0000000-0000-4000-8000-000000000001.jpg", b"\xff\xd8\xff\xe0 not really a picture"),
            ("Sources/F0000000-0000-4000-8000-000000000003.pdf", b"%PDF-1.4 not really a PDF"),
            ("Thumbs.db", b"\x00\x01 an extra file some tools leave behind"),
        ],
    )
    write_archive(HERE / "inline_crlf.qdpx", [("project.qde", INLINE_QDE.encode("utf-8"))])


if __name__ == "__main__":
    main()
