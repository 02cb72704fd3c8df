"""Nobody but moderators reaches a moderation page, whatever the route."""

from __future__ import annotations

import pytest

from tests.conftest import user_with_role


def moderation_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("moderation.", "threats.")):
            values = {arg: 1 for arg in rule.arguments}
            if "action" in rule.arguments:
                values["action"] = "approve"
            yield rule, values


@pytest.mark.parametrize("role", [None, "participant", "staff"])
def test_participants_and_visitors_cannot_reach_any_moderation_page(app, client, auth, role):
    if role:
        auth.login(user_with_role(role).email)
    routes = list(moderation_routes(app))
    assert len(routes) >= 7
    with app.test_request_context():
        from flask import url_for

        urls = [(rule, url_for(rule.endpoint, **values)) for rule, values in routes]
    for rule, url in urls:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            expected = 302 if role is None else 403
            assert response.status_code == expected, (method, url, response.status_code)
