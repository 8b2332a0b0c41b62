"""The ``int`` of URL rules (``/candidates/<int:candidate_id>``): only numbers an id can be."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

from app.core.normalize import MAX_ID


class IdConverter(IntegerConverter):
    """Werkzeug's ``int``, bounded by the largest id there can be. A longer number is no
    record's, and sent to the database it would fail there (an integer out of range) rather
    than find nothing; refused while routing, it is a plain 404."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
