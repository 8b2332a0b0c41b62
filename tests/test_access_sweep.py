"""Every route the app registers, swept: logged out, it sends you to /login; admin pages refuse
other roles. The sweep reads ``app.url_map``, so a new route must be classified here or this test
fails."""

from __future__ import annotations

import re

import pytest

from tests.conftest import login

# Routes anyone may reach without logging in.
PUBLIC = {"accounts.login", "main.healthz", "static", "bootstrap.static", "accounts.logout_page"}
# County administration: admins only, everyone else 403.
ADMIN_ONLY = {
    "admin.audit_log",
    "admin.townships",
    "admin.township",
    "admin.users",
    "admin.user",
    "admin.unlock_user",
    "admin.new_user",
    "admin.village",
    "places.settings_page",
}


def concrete(rule) -> str:
    """The rule with every parameter filled (ids need not exist: login comes first)."""
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: "1" if "id" in m.group(1) else "x", rule)


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, concrete(rule.rule), method


def test_the_sweep_sees_the_whole_app(app):
    endpoints = {endpoint for endpoint, _, _ in routes(app)}
    assert len(endpoints) > 60  # the sweep sees the whole app, not an empty map


def test_logged_out_every_private_route_leads_to_login(app, client):
    checked = 0
    for endpoint, path, method in routes(app):
        if endpoint in PUBLIC:
            continue
        response = client.open(path, method=method, data={"csrf_token": client.csrf_token()})
        assert response.status_code == 302, (endpoint, method, response.status_code)
        assert response.headers["Location"].startswith("/login"), (endpoint, method)
        checked += 1
    assert checked > 80


@pytest.mark.parametrize("role", ["secretary", "clerk"])
def test_admin_pages_refuse_other_roles(app, client, make, role):
    township = make.township()
    login(client, make.user(role, township))
    seen = set()
    for endpoint, path, method in routes(app):
        if endpoint not in ADMIN_ONLY:
            continue
        seen.add(endpoint)
        response = client.open(path, method=method, data={"csrf_token": client.csrf_token()})
        assert response.status_code == 403, (endpoint, method, response.status_code)
    assert seen == ADMIN_ONLY
