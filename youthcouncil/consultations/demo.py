"""Demo consultations, built through the services: one in discussion (with a PDF), one in voting, one completed."""

from __future__ import annotations

import io
from datetime import timedelta

from werkzeug.datastructures import FileStorage

from youthcouncil import signals
from youthcouncil.consultations import adoption, services
from youthcouncil.db import utcnow
from youthcouncil.i18n import to_oslo
from youthcouncil.motions.permissions import can_vote_on_motion
from youthcouncil.motions.services import cast_vote, close_motion, motion_title, vote_of


def _pdf(line: str) -> bytes:
    """A one-page PDF with one line of text (Latin-1), for the demo's attachment."""
    text = line.encode("latin-1").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 16 Tf 60 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@signals.seed_demo.connect
def seed(demo, **kwargs) -> None:
    clerk = demo.clerks[0]
    chair = demo.chair
    members = demo.members
    today = to_oslo(utcnow()).date()

    skatepark = services.create_request(
        clerk,
        title="Ny skatepark ved Sjøsiden",
        case_number="2026/0412",
        case_text="Kommunen vurderer å bygge en skatepark på den gamle grusbanen ved Sjøsiden skole. "
        "Saken gjelder plassering, åpningstider og belysning.",
        summary="Kommunen vil kanskje lage en skatepark ved Sjøsiden skole. Hvor skal den ligge? "
        "Når skal den være åpen? Skal det være lys om kvelden? Vi vil høre hva dere mener.",
        questions="Er grusbanen et godt sted?\nHvor lenge skal parken være åpen om kvelden?",
        deadline=today + timedelta(days=25),
        files=[FileStorage(io.BytesIO(_pdf("Skatepark ved Sjøsiden: kart over grusbanen")), "skatepark-kart.pdf")],
    )
    services.open_request(skatepark, chair)
    services.add_comment(skatepark, members[0], "Grusbanen er fin, men det trengs lys om vinteren.")
    first = services.add_comment(skatepark, members[1], "Det må være benker for de som ser på.")
    services.add_comment(skatepark, members[2], "Enig! Og et tak hvis det regner.", parent=first)
    services.set_support(first, members[3], True)

    bus = services.create_request(
        clerk,
        title="Bussruter til ungdomsklubben",
        case_number="2026/0388",
        case_text="Ruteplan for kveldsbusser til ungdomsklubben på Lindeli fra neste skoleår.",
        summary="Bussene om kvelden skal endres. Vi vil vite når dere trenger buss til og fra ungdomsklubben.",
        deadline=today + timedelta(days=12),
    )
    services.open_request(bus, chair)
    services.add_comment(bus, members[4], "Siste buss hjem må gå etter klokka 22.")
    draft = services.save_draft(
        bus,
        chair,
        "Ungdomsrådet ønsker at siste buss fra ungdomsklubben går etter klokka 22 på hverdager, "
        "og at bussen stopper ved alle skolene.",
    )
    adoption.open_adoption_vote(bus, chair, draft)

    library = services.create_request(
        clerk,
        title="Åpningstider på biblioteket",
        case_number="2026/0201",
        case_text="Forslag om nye åpningstider for hovedbiblioteket, med lengre åpent i helgene.",
        summary="Biblioteket kan få nye åpningstider. Skal det være åpent lenger i helgene? Si hva dere mener.",
        deadline=today + timedelta(days=30),
    )
    services.open_request(library, chair)
    services.add_comment(library, members[5], "Lørdag til klokka 18 hadde vært fint.")
    version = services.save_draft(
        library,
        chair,
        "Ungdomsrådet støtter lengre åpningstid i helgene, gjerne til klokka 18 på lørdager. "
        "Biblioteket er et trygt sted å være.",
    )

    motion = adoption.open_adoption_vote(library, chair, version)
    for i, member in enumerate(members[:15]):
        cast_vote(motion, member, "yes" if i < 12 else "abstain" if i < 14 else "no")
    close_motion(motion, by=chair)
    services.send_response(library, chair)
    services.record_city_decision(
        library,
        clerk,
        "Kommunestyret vedtok lengre åpningstid på lørdager, til klokka 18, fra 1. mars.",
        "Ungdomsrådets forslag om klokka 18 ble tatt med direkte i vedtaket.",
    )


@signals.demo_not_voted.connect
def not_voted(sender, **kwargs) -> tuple[str, list]:
    """The council's vote on a response open now, and the demo members who have not voted in it."""
    for consultation in services.council_requests():
        motion = adoption.current_motion(consultation)
        if motion is not None:
            voters = [member for member in sender if can_vote_on_motion(member, motion)]
            return (motion_title(motion), [member for member in voters if not vote_of(motion, member)])
    return ("", [])
