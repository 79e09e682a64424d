"""Named queries for one viewer, outside the app: the access check, the forced parameters and
the masking a viewer's role calls for — the same rules the app's query runner applies
(northstar.ui.page_queries adds its cache and the screen's masking toggle on top).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from northstar.data.db.data_source import DataSource
from northstar.data.db.masking import mask_frame
from northstar.data.db.query_runner import Query, execute, load_query, normalise
from northstar.data.registry import access


def checked_params(viewer: access.Viewer, name: str, params: dict[str, Any],
                   masked: bool) -> tuple[Query, dict[str, Any]]:
    """The query and the parameters it uses, after the viewer's access check (raises
    AccessDenied); for a masked viewer, with the parameters its header forces when masked."""
    query = load_query(name)
    used = {key: normalise(value) for key, value in params.items() if key in query.parameters}
    access.check_query(viewer, name, query.scope, used)
    if masked:
        used.update(query.when_masked)
    return query, used


class ViewerQueries:
    """Runs named queries as one viewer would see them (uncached): checked against the role,
    masked when the role forces masking, pseudonyms keyed by `key`. Parameters a query does not
    use are ignored, as in the app."""

    def __init__(self, viewer: access.Viewer, key: bytes,
                 source: DataSource | None = None) -> None:
        self.viewer = viewer
        self.key = key
        self.source = source

    def __call__(self, name: str, **params: Any) -> pd.DataFrame:
        masked = self.viewer.masking_forced
        query, used = checked_params(self.viewer, name, params, masked)
        frame = execute(name, used, self.source)
        return mask_frame(frame, query.sensitive, name, self.key) if masked else frame
