"""Demo consultations, built through the services: one in discussion, one in voting, one completed."""

from __future__ import annotations

from datetime import timedelta

from youthcouncil import signals
from youthcouncil.consultations import adoption, services
from youthcouncil.db import utcnow
from youthcouncil.i18n import to_oslo
from youthcouncil.motions.services import cast_vote, close_motion


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
