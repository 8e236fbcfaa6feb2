from tests.motions.builders import make_motion
from youthcouncil.motions import services


def url_values(world) -> dict[str, dict]:
    open_motion = make_motion(world, title="An open vote for the access matrix")
    closed = make_motion(world, title="A closed vote for the access matrix")
    services.cast_vote(closed, world.users["member"], "yes")
    services.close_motion(closed, by=world.chair)
    return {
        "motions.motion_detail": {"motion_id": closed.id},
        "motions.motion_vote": {"motion_id": open_motion.id},
        "motions.motion_close": {"motion_id": open_motion.id},
        "motions.motion_cancel": {"motion_id": open_motion.id},
        "motions.motion_hand_count": {"motion_id": open_motion.id},
    }
