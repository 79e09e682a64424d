"""The analytics layer: pure Python on query results.

Metrics and their formats, periods, retention, health, satisfaction, goals, investment
drivers, the CCO programs, the KPI cards and the CEO brief. Imports the data layer only; no
Streamlit, so every function here is unit tested on small hand-made frames.
"""
