"""Extensions, created unbound and bound to the app in create_app (Flask-Migrate: youthcouncil.migrate)."""

from flask_babel import Babel
from flask_compress import Compress
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from youthcouncil.db import Base

db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)
htmx = HTMX()
#: Compresses HTML answers when the browser asks; our static files are compressed at build time (assets.py).
compress = Compress()
