from __future__ import annotations

import sqlalchemy as sa

from tests.conftest import count
from youthcouncil.i18n import N_
from youthcouncil.notifications import services
from youthcouncil.notifications.models import Notification

HELLO = N_("Hi, %(name)s!")


def _notify(world, role="member", **kwargs):
    return services.notify([world.users[role]], kind="test", message=HELLO, params={"name": "Ola"}, **kwargs)


def test_the_list_renders_in_the_readers_language(client, db, world, login_as):
    _notify(world, link="/home")
    db.session.commit()
    login_as("member")
    html = client.get("/notifications").get_data(as_text=True)
    assert "Hei, Ola!" in html and 'href="/home"' in html and "Du har 1 ny melding." in html
    client.submit("/language", {"language": "en"}, page="/")
    html = client.get("/notifications").get_data(as_text=True)
    assert "Hi, Ola!" in html and "You have 1 new message." in html


def test_reading_the_list_changes_nothing_and_the_button_marks_all_read(client, db, world, login_as):
    _notify(world)
    _notify(world)
    db.session.commit()
    login_as("member")
    assert client.get("/notifications").status_code == 200
    assert count(db, Notification, Notification.read_at.is_(None)) == 2
    assert "Du har 2 nye meldinger." in client.get("/home").get_data(as_text=True)
    response = client.submit("/notifications/read", page="/notifications")
    assert response.status_code == 303
    db.session.expire_all()
    assert count(db, Notification, Notification.read_at.is_(None)) == 0
    assert "nye meldinger" not in client.get("/home").get_data(as_text=True)


def test_a_user_sees_and_marks_only_their_own(client, db, world, login_as):
    _notify(world, role="chair")
    db.session.commit()
    note_id = db.session.scalar(sa.select(Notification.id))
    login_as("member")
    assert "Hei, Ola!" not in client.get("/notifications").get_data(as_text=True)
    client.submit("/notifications/read", {"notification_id": str(note_id)}, page="/notifications")
    db.session.expire_all()
    assert count(db, Notification, Notification.read_at.is_(None)) == 1


def test_an_unsafe_link_is_not_rendered(client, db, world, login_as):
    _notify(world, link="//evil.example/")
    db.session.commit()
    login_as("member")
    assert "evil.example" not in client.get("/notifications").get_data(as_text=True)


def test_messages_are_in_the_navigation_for_logged_in_users(client, db, world, login_as):
    assert 'href="/notifications"' not in client.get("/").get_data(as_text=True)
    login_as("clerk")
    assert 'href="/notifications"' in client.get("/home").get_data(as_text=True)
