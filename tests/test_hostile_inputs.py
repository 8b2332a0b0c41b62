"""No input makes a 500: links and routes that take whatever a URL carries.

An id in a path longer than an integer column holds is no record's: a 404 while routing.

The names ``url_for`` keeps for itself (``endpoint``, ``_external``, ``_method``, ...) sent as
query parameter names: a page that passed its query on to ``url_for`` would break, or turn its
links into absolute ``http://`` ones.
"""

from __future__ import annotations

import pytest
from werkzeug.exceptions import NotFound

from app.core.normalize import MAX_ID
from app.core.templating import url_with

# ---- the one place each is refused ------------------------------------------------------------


def test_links_to_the_page_carry_its_query_without_url_fors_own_names(app):
    hostile = "&endpoint=x&_external=1&_method=POST&_anchor=top&_scheme=https&candidate_id=5"
    with app.test_request_context(f"/candidates/7?q=%E7%8E%8B&page=3{hostile}&values=v"):
        assert url_with(page=4) == "/candidates/7?q=%E7%8E%8B&page=4&values=v"
        assert url_with(q=None, page="") == "/candidates/7?q=%E7%8E%8B&values=v"


def test_int_in_a_route_is_only_an_id_an_integer_column_holds(app):
    urls = app.url_map.bind("localhost")
    assert urls.match(f"/candidates/{MAX_ID}") == ("roster.detail", {"candidate_id": MAX_ID})
    for number in (MAX_ID + 1, 10**30, "9" * 5000):
        with pytest.raises(NotFound):
            urls.match(f"/candidates/{number}")
