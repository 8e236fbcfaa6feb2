"""The generated secret key: made on its first use, not when the app starts, and the same for every process."""

from youthcouncil import create_app
from youthcouncil.config import Config, generated_secret_key


def test_the_key_is_generated_when_first_needed_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("YC_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app()
    assert not (tmp_path / "instance").exists()  # starting the app writes nothing
    key = app.secret_key
    assert key and (tmp_path / "instance" / "secret_key").read_text() == key
    assert ((tmp_path / "instance" / "secret_key").stat().st_mode & 0o777) == 0o600
    assert app.test_client().get("/login").status_code == 200
    assert key == Config().SECRET_KEY  # the next start reads the same key
    assert create_app().config["SECRET_KEY"] == key
    assert generated_secret_key(tmp_path / "instance") == key
    assert sorted(p.name for p in (tmp_path / "instance").iterdir()) == ["secret_key"]  # no drafts left behind


def test_a_key_from_the_environment_is_used_and_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("YC_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    assert create_app().secret_key == "from-the-environment"
    assert not (tmp_path / "instance").exists()
