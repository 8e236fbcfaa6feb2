"""The one way templates ask permission: ``<domain>_permissions.can_x(current_user, obj)``, never a role check.

Each domain's rules are tested as tables in tests/<domain>/test_permissions.py; this file checks the convention.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOMAINS = sorted(path.parent.name for path in (ROOT / "youthcouncil").glob("*/permissions.py"))
#: The greeting on the home page says what the user is ("You are the youth coordinator"): not a permission.
NAVIGATION_ONLY = {"templates/accounts/home.html"}


def test_every_domain_with_rules_is_known():
    assert DOMAINS == ["accounts", "budget", "consultations", "membership", "motions", "safety_week"]


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_permission_module_is_a_template_global(app, domain):
    module = importlib.import_module(f"youthcouncil.{domain}.permissions")
    assert app.jinja_env.globals[f"{domain}_permissions"] is module
    assert f"{domain}_permissions.can_" in module.__doc__, "the module docstring says how templates ask"


def test_no_template_checks_a_role():
    role_check = re.compile(r"has_role\(|roles_of\(|Role\.|account_type\.value|\bperm\.|\bp\.can_")
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        if str(path.relative_to(ROOT)) not in NAVIGATION_ONLY
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if role_check.search(line)
    ]
    assert not found, "templates ask <domain>_permissions, not roles:\n" + "\n".join(found)


def test_templates_name_only_rules_that_exist():
    call = re.compile(r"\b(\w+)_permissions\.(\w+)\(")
    missing = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for domain, rule in call.findall(path.read_text(encoding="utf-8")):
            module = importlib.import_module(f"youthcouncil.{domain}.permissions")
            if not callable(getattr(module, rule, None)):
                missing.append(f"{path.relative_to(ROOT)}: {domain}_permissions.{rule}")
    assert not missing, missing
