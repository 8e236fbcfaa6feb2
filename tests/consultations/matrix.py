"""URL values for every consultations endpoint with parameters, each with its own request in the right step."""

from tests.consultations.builders import PDF, FakeFile, make_adopted, make_discussed, make_request, make_sent


def url_values(world) -> dict[str, dict]:
    from youthcouncil.consultations import services

    with_pdf = make_request(world.clerk, title="Med vedlegg", files=[FakeFile("sak.pdf", PDF)])
    discussed = make_discussed(world)
    # The world's member is the named writer, so that every member-role endpoint is reachable for the matrix.
    services.name_writer(discussed, world.chair, world.users["member"])
    comment = services.add_comment(discussed, world.chair, "Et poeng fra lederen.")
    version = discussed.latest_version
    sent = make_sent(world)

    def one(**extra):
        return {"consultation_id": make_discussed(world).id, **extra}

    return {
        "consultations.archive_detail": {"consultation_id": sent.id},
        "consultations.consultation_detail": {"consultation_id": discussed.id},
        "consultations.request_edit": {"consultation_id": make_request(world.clerk).id},
        "consultations.request_withdraw": {"consultation_id": make_request(world.clerk).id},
        "consultations.attachment_download": {
            "consultation_id": with_pdf.id,
            "attachment_id": with_pdf.attachments[0].id,
        },
        "consultations.request_open": {"consultation_id": make_request(world.clerk).id},
        "consultations.comment_add": {"consultation_id": discussed.id},
        "consultations.comment_support": {"comment_id": comment.id},
        "consultations.comment_hide": {"comment_id": comment.id},
        "consultations.comment_unhide": {"comment_id": comment.id},
        "consultations.draft_edit": {"consultation_id": discussed.id},
        "consultations.writer_set": one(),
        "consultations.version_list": {"consultation_id": discussed.id},
        "consultations.version_detail": {"consultation_id": discussed.id, "version_id": version.id},
        "consultations.vote_open": one(),
        "consultations.response_send": {"consultation_id": make_adopted(world).id},
        "consultations.request_decline": one(),
        "consultations.city_decision": {"consultation_id": make_sent(world).id},
        "consultations.response_print": {"consultation_id": sent.id},
    }
