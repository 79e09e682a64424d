"""The ui layer: everything that imports Streamlit.

The cached, viewer-aware query runner, sign-in, masking, presentation mode, the links that
carry the view state, the global filters, charts, tables' column settings, downloads and the
progress notice. Imports the analytics and data layers; the page scripts in views/ and app.py
sit on top.
"""
