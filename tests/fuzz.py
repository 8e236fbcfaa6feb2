"""What the fuzz tests send: every form each role can see (found by opening every page), every URL rule, and junk.

``tests/test_fuzz.py`` drives these with hypothesis; the helpers live here so a one-off script can count server
errors over many more examples than the suite runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

from hypothesis import strategies as st

from tests.conftest import log_in
from tests.test_access_matrix import _build_url, domain_url_values, rules

#: Endpoints whose forms end the fuzzing session itself (then every later request is only a login redirect).
SKIPPED_ACTIONS = ("/logout",)

#: Values that broke something once, or that sit on an edge: unicode digits, ids past every integer column,
#: NUL bytes, dates at the ends of the calendar, long text, names that fold to the same key.
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "²",
    "١٢",
    "１２",
    "-1",
    "0",
    "1",
    "2147483647",
    "2147483648",
    "9223372036854775807",
    "9223372036854775808",
    "1" + "0" * 40,
    "1e400",
    "NaN",
    "0001-01-01",
    "0001-01-01T00:00",
    "9999-12-31",
    "9999-12-31T23:59",
    "2026-02-30",
    "x" * 5000,
    "Østbyen skole",
    "ØSTBYEN SKOLE",
    "ﬀ",
    "İ",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "y",
    "on",
]

junk_text = st.one_of(
    st.sampled_from(NASTY),
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=12),
    st.integers().map(str),
    st.integers(min_value=2**31 - 2, max_value=2**64).map(str),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | junk_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def _plausible(attrs: dict) -> list[str]:
    """Values a person could type into an empty input, by its type, so that junk in one field meets sensible values
    in the others and gets past the form's checks to the services and the database."""
    kind = attrs.get("type", "text")
    if kind == "date":
        return ["2027-05-03"]
    if kind == "datetime-local":
        return ["2027-05-03T18:00"]
    if kind == "number" or attrs.get("inputmode") == "numeric":
        return ["2", "5000"]
    if kind == "file":
        return []
    return ["Sommerfest for alle", "7B", "kari.n", "Trygg på nett"]


@dataclass(frozen=True)
class FormTarget:
    """A form as a page shows it: where it posts, and its fields with the values the page offers."""

    method: str
    action: str
    page: str
    #: (name, values offered on the page: the input's value, a select's options, a radio group's values)
    fields: tuple[tuple[str, tuple[str, ...]], ...]
    multipart: bool = False
    #: (name, what kind of control: an input's type, "textarea", "select", "button")
    kinds: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> tuple:
        return (self.method, self.action, tuple(name for name, _ in self.fields))


@dataclass
class _Form:
    method: str
    action: str
    multipart: bool
    fields: dict[str, list[str]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)


class FormParser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[_Form] = []
        self._form: _Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = attrs.get("action") or self.page
            self._form = _Form(
                (attrs.get("method") or "get").upper(),
                action,
                (attrs.get("enctype") or "").lower() == "multipart/form-data",
            )
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = attrs.get("name")
        if tag in ("input", "textarea", "button") and name and name != "csrf_token":
            kind = attrs.get("type", "text") if tag == "input" else tag
            self._form.kinds.setdefault(name, "numeric" if attrs.get("inputmode") == "numeric" else kind)
            values = self._form.fields.setdefault(name, [])
            if attrs.get("value"):
                values.append(attrs["value"])
            elif tag == "input" or tag == "textarea":
                values.extend(_plausible(attrs))
        elif tag == "select" and name:
            self._select = name
            self._form.kinds.setdefault(name, "select")
            self._form.fields.setdefault(name, [])
        elif tag == "option" and self._select and attrs.get("value") is not None:
            self._form.fields[self._select].append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms_on(page: str, html: str) -> list[FormTarget]:
    parser = FormParser(page)
    parser.feed(html)
    found = []
    for form in parser.forms:
        action = urlsplit(form.action)
        if action.netloc or not action.path.startswith("/") or action.path.startswith(SKIPPED_ACTIONS):
            continue
        target = action.path + (f"?{action.query}" if action.query else "")
        fields = tuple(sorted((name, tuple(dict.fromkeys(values))) for name, values in form.fields.items()))
        kinds = tuple(sorted(form.kinds.items()))
        found.append(FormTarget(form.method, target, page, fields, form.multipart, kinds))
    return found


def page_urls(app, world) -> list[tuple[str, str]]:
    """(endpoint, url) of every rule, with URL values that name real objects (tests/<domain>/matrix.py)."""
    values = domain_url_values(world)
    return [(rule.endpoint, _build_url(app, rule, values)) for rule in rules(app)]


def discover_forms(app, world, user, urls) -> list[FormTarget]:
    """Every form ``user`` (None: a visitor) finds on any page, plus a bare target for each POST-only rule."""
    client = app.test_client()
    if user is not None:
        log_in(client, user)
    found: dict[tuple, FormTarget] = {}
    for endpoint, url in urls:
        rule_methods = next(r.methods for r in app.url_map.iter_rules(endpoint))
        if "GET" in rule_methods:
            response = client.get(url)
            if response.status_code == 200 and response.mimetype == "text/html":
                for form in forms_on(url, response.get_data(as_text=True)):
                    found.setdefault(form.key, form)
        if "POST" in rule_methods and not url.startswith(SKIPPED_ACTIONS):
            bare = FormTarget("POST", url, "/", ())
            found.setdefault(bare.key, bare)
    return sorted(found.values(), key=lambda form: form.key)


#: For each kind of control, the values that once broke something in a field of that kind.
NASTY_BY_KIND = {
    "numeric": ["²", "2147483648", "9223372036854775808", "1" + "0" * 30],
    "number": ["²", "2147483648", "9223372036854775808"],
    "hidden": ["²", "2147483648", "9223372036854775808", "\x00"],
    "select": ["²", "2147483648", "9223372036854775808"],
    "radio": ["²", "9223372036854775808"],
    "checkbox": ["²", "9223372036854775808"],
    "date": ["0001-01-01", "9999-12-31"],
    "datetime-local": ["0001-01-01T00:00", "9999-12-31T23:59"],
    "text": ["\x00", "Østbyen skole", "x" * 5000],
    "textarea": ["a\x00b", "x" * 50000],
}


def plausible_values(form: FormTarget) -> dict[str, list[str]]:
    """What a person would send: the first value the page offers for each field."""
    return {name: [offered[0]] for name, offered in form.fields if offered}


def nasty_cases(form: FormTarget) -> list[tuple[str, str]]:
    """(field, value): each field in turn gets each value that broke its kind of field once, the others stay
    plausible, so the value gets past the form's other checks to the services and the database."""
    kinds = dict(form.kinds)
    return [(name, value) for name, _ in form.fields for value in NASTY_BY_KIND.get(kinds.get(name, "text"), [])]


@st.composite
def form_values(draw, form: FormTarget) -> dict[str, list[str]]:
    """For each field: what the page offers (or a plausible value), or junk, or several values, or nothing at all;
    now and then an extra field the form does not have."""
    data: dict[str, list[str]] = {}
    for name, offered in form.fields:
        choice = draw(st.integers(0, 11))
        if choice == 0:
            continue  # left out
        if choice <= 6 and offered:
            data[name] = [draw(st.sampled_from(offered))]
        elif choice == 7:
            data[name] = draw(st.lists(junk_text, min_size=2, max_size=3))
        else:
            data[name] = [draw(junk_text)]
    if draw(st.integers(0, 4)) == 0:
        data[draw(st.sampled_from(["id", "parent_id", "remove", "notification_id", "confirm", "next"]))] = [
            draw(junk_text)
        ]
    return data


@st.composite
def json_body(draw, form: FormTarget) -> str:
    """A JSON body: the form's fields with values of any JSON type, or something that is not an object at all."""
    as_object = draw(st.booleans())
    return json.dumps({name: draw(json_values) for name, _ in form.fields} if as_object else draw(json_values))


def send(client, form: FormTarget, token: str, data: dict[str, list[str]] | None = None, body: str | None = None):
    """One request as a client could send it, with a valid CSRF token (in the form, or in the header for JSON)."""
    headers = {"X-CSRFToken": token}
    if form.method != "POST":
        query = urlencode([(name, value) for name, values in (data or {}).items() for value in values])
        separator = "&" if "?" in form.action else "?"
        return client.get(f"{form.action}{separator}{query}" if query else form.action)
    if body is not None:
        return client.post(form.action, data=body, content_type="application/json", headers=headers)
    pairs = [(name, value) for name, values in (data or {}).items() for value in values]
    pairs.append(("csrf_token", token))
    if form.multipart:
        multi: dict[str, list] = {}
        for name, value in pairs:
            multi.setdefault(name, []).append(value)
        return client.post(form.action, data=multi, content_type="multipart/form-data", headers=headers)
    return client.post(
        form.action,
        data=urlencode(pairs),
        content_type="application/x-www-form-urlencoded",
        headers=headers,
    )


#: What an id in a URL can be: past each backend's integer, unicode digits, signs, NUL, long.
JUNK_IDS = [
    "0",
    "2147483647",
    "2147483648",
    "9223372036854775807",
    "9223372036854775808",
    "1" + "0" * 30,
    "²",
    "١",
    "-1",
    "+1",
    "1.0",
    "%00",
    "1%00",
    "x" * 300,
]


def junk_url(rule, values: dict[str, str]) -> str:
    """The rule's path with ``values`` put in for its arguments as they are (already quoted where needed)."""
    path = rule.rule
    for argument in rule.arguments:
        start = path.index("<")
        end = path.index(">", start)
        name = path[start + 1 : end].split(":")[-1]
        path = path[:start] + values.get(name, "1") + path[end + 1 :]
    return path


junk_path_value = st.one_of(
    st.sampled_from(JUNK_IDS),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(min_size=1, max_size=20).map(lambda text: quote(text, safe="")),
)
