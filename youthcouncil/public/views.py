from flask import render_template
from flask_login import current_user

from youthcouncil.auth import PUBLIC, access
from youthcouncil.membership.services import current_term, the_municipality
from youthcouncil.public import bp
from youthcouncil.web import registry, see_other


@bp.route("/")
@access(PUBLIC)
def index():
    if current_user.is_authenticated:
        return see_other("accounts.home")
    return render_template(
        "public/index.html",
        municipality=the_municipality(),
        term=current_term(),
        sections=[item for item in sorted(registry.nav, key=lambda i: i.order) if "public" in item.roles],
    )
