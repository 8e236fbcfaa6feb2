"""0011 backfills the schools' folded name keys, keeps schools that already clash, and then refuses a new clash."""

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests.test_migrations import _fresh_app, drop_schema
from youthcouncil.names import name_key


def test_the_upgrade_backfills_the_keys_and_the_index_refuses_a_folded_twin(tmp_path):
    from youthcouncil.extensions import db

    app = _fresh_app(tmp_path)
    with app.app_context():
        drop_schema(db)
        try:
            upgrade(revision="0010_external_identities")
            with db.engine.begin() as connection:
                connection.execute(sa.text("INSERT INTO municipalities (id, name) VALUES (1, 'Byen')"))
                for school_id, name in [(1, "Åsen skole"), (2, "åsen skole"), (3, "Østbyen skole")]:
                    connection.execute(
                        sa.text(
                            "INSERT INTO schools (id, municipality_id, name, seats, deputy_seats) "
                            "VALUES (:i, 1, :n, 1, 1)"
                        ),
                        {"i": school_id, "n": name},
                    )
            upgrade()
            with db.engine.connect() as connection:
                keys = dict(connection.execute(sa.text("SELECT id, name_key FROM schools")).all())
            assert keys[1] == name_key("Åsen skole") and keys[3] == name_key("ØSTBYEN SKOLE")
            assert keys[2] != keys[1]  # the clash from before keeps its name, under a key of its own
            with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
                connection.execute(
                    sa.text(
                        "INSERT INTO schools (municipality_id, name, name_key, seats, deputy_seats) "
                        "VALUES (1, 'ØSTBYEN  skole', :k, 1, 1)"
                    ),
                    {"k": name_key("ØSTBYEN  skole")},
                )
            downgrade(revision="0010_external_identities")
            assert "name_key" not in {c["name"] for c in sa.inspect(db.engine).get_columns("schools")}
        finally:
            db.session.remove()
            drop_schema(db)
            db.engine.dispose()
