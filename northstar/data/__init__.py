"""The data layer: where Northstar's data comes from and how it is read.

Data sources and the named-query files, the canonical schema, the importer and the demo
generator, the rollups, exports, the page registry and the access rules, and the editable
settings the SQL reads. Nothing here imports Streamlit or the layers above (analytics, ui), so
the command-line tools (`python -m northstar.data.load`, `…demo`, `…export`) start fast.
"""
