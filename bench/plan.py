"""The query plan of one page call: `python -m bench.plan DB PAGE KEY` (EXPLAIN ANALYZE)."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from bench.pages import FILTER_SETS, page_calls
from bench.worker import _quiet_streamlit, context_for
from northstar.data.db import query_runner as ns_db


def main(argv: list[str]) -> int:
    _quiet_streamlit()
    path, page, key = Path(argv[0]), argv[1], argv[2]
    context = context_for(path)
    previous: dict = {}
    for call in page_calls(page, context, FILTER_SETS[0]):
        params = call.resolve(previous)
        if call.key == key:
            query = ns_db.load_query(call.query)
            bound = {name: ns_db.bindable(value) for name, value in params.items()
                     if name in query.parameters}
            with duckdb.connect(str(path), read_only=True) as con:
                rows = con.execute("explain analyze " + query.sql, bound).fetchall()
            print(rows[0][1])
            return 0
        previous[call.key] = ns_db.execute(call.query, params, path)
    raise SystemExit(f"no call {key!r} on page {page!r}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
