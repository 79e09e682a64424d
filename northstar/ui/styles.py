"""Page-wide styles Streamlit has no setting for: the KPI cards two to a row on a phone, and
less space above a slide. Only these constant style sheets are ever passed to st.html."""

from __future__ import annotations

# Streamlit stacks columns one under another below 640 px, so a row of four KPI cards would
# take four screens on a phone; rows of metric cards wrap two to a row instead.
PHONE_CSS = """
<style>
@media (max-width: 640px) {
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]) {
    flex-wrap: wrap; gap: 0.5rem;
  }
  [data-testid="stHorizontalBlock"] > [data-testid="stColumn"]:has([data-testid="stMetric"]) {
    flex: 1 1 calc(50% - 0.5rem) !important; min-width: calc(50% - 0.5rem) !important;
    width: calc(50% - 0.5rem) !important;
  }
  [data-testid="stMetricValue"] { font-size: 1.5rem; }
}
</style>
"""

# the space Streamlit keeps above a page, cut on a slide so its content fits one screen
SLIDE_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 4rem; padding-bottom: 1rem; }
</style>
"""
