"""Every page and tab in a real browser, on screen (1440×900), masked (1920×1080) and as a
slide (1920×1080): no visible None / nan / NaT, no money with cents outside unit prices, no
raw snake_case codes, no button label cut short, no error. Each view's screenshot is kept
under test-artifacts/house-style/. (The cells of tables are drawn on a canvas; their
displayed text is checked through AppTest in tests/app/test_house_style.py.)"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import pytest

from browser import EXCEPTION, screenshot_full_page, wait_for_app_loaded
from northstar.data.registry.pages import HOME, PAGES
from tests.conftest import REPO_ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Page

ARTIFACTS = REPO_ROOT / "test-artifacts" / "house-style"
VIEWS: list[tuple[str, dict[str, str]]] = [
    (page.key, {page.tab_parameter: tab} if tab else {})
    for page in PAGES
    for tab in (page.tabs or (None,))
]
MODES = {
    "screen": ({}, {"width": 1440, "height": 900}),
    "masked": ({"mask": "true"}, {"width": 1920, "height": 1080}),
    "slide": ({"present": "true"}, {"width": 1920, "height": 1080}),
}
MISSING_WORDS = re.compile(r"(?<![\w-])(None|nan|NaN|NaT|null)(?![\w-])")
CENTS = re.compile(r"\$\d[\d,]*\.\d\d(?![\dKMB])")
UNIT_PRICE = re.compile(r"per dollar\s+\$\d[\d,]*\.\d\d|\$\d[\d,]*\.\d\d( of ARR a year)? per ")
SNAKE_CASE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
# text Northstar writes on purpose that looks like a code: file names and URL parameters
ALLOWED_CODES = re.compile(r"`[^`]*`|config/\S+|\?\S+")

# every visible button whose label overflows its box (cut short or shown with an ellipsis)
TRUNCATED_BUTTONS_JS = """
() => [...document.querySelectorAll(
    '[data-testid="stMain"] button[data-testid^="stBaseButton-"]'
    + ':not([data-testid="stBaseButton-elementToolbar"])')]
  .filter(button => button.checkVisibility() && button.getBoundingClientRect().height > 0
                    && !button.closest('details:not([open])'))
  .map(button => {
      const label = button.querySelector('[data-testid="stMarkdownContainer"] p');
      if (!label) return {text: '(icon only) ' + button.dataset.testid, cut: true};
      const box = button.getBoundingClientRect(), text = label.getBoundingClientRect();
      const cut = label.scrollWidth > label.clientWidth + 1 || text.right > box.right + 1
          || text.left < box.left - 1 || label.innerText.trim() === '';
      return {text: label.innerText, cut: cut};
  })
  .filter(item => item.cut)
  .map(item => item.text)
"""
# the page's visible words: its text without the names of Material icons, and its charts' text
VISIBLE_TEXT_JS = """
() => {
  const source = document.querySelector('[data-testid="stMain"]');
  source.querySelectorAll('*').forEach(node => {
      if (getComputedStyle(node).fontFamily.includes('Material')) node.dataset.icon = 'yes';
  });
  const main = source.cloneNode(true);
  main.querySelectorAll('[data-icon="yes"], .main-svg').forEach(n => n.remove());
  document.body.appendChild(main);
  const text = main.innerText;
  main.remove();
  const charts = [...document.querySelectorAll('[data-testid="stMain"] .main-svg text')]
      .map(node => node.textContent).join('\\n');
  return text + '\\n' + charts;
}
"""


# how tall the page's content is (Streamlit scrolls inside stMain)
SLIDE_HEIGHT_JS = """
() => document.querySelector('[data-testid="stMain"]').scrollHeight
"""


def address(key: str, params: dict[str, str]) -> str:
    path = "/" if key == HOME else f"/{key}"
    return f"{path}?{urlencode(params)}" if params else path


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize(("key", "params"), VIEWS,
                         ids=[f"{key}-{'-'.join(params.values()) or 'main'}" for key, params in VIEWS])
def test_every_view_is_board_ready(app_server: str, page: Page, key, params, mode) -> None:
    extra, viewport = MODES[mode]
    page.set_viewport_size(viewport)
    page.goto(app_server + address(key, {**params, **extra}), wait_until="domcontentloaded")
    wait_for_app_loaded(page)
    where = f"{key} {params} {mode}"
    if mode == "slide":  # a slide fits the screen: nothing below the fold
        height = page.evaluate(SLIDE_HEIGHT_JS)
        assert height <= viewport["height"] + 4, (where, f"{height} px tall")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)  # kept whether the checks pass or not
    name = f"{key}-{'-'.join(params.values()) or 'main'}-{mode}".replace(" ", "_")
    screenshot_full_page(page, ARTIFACTS / f"{name}.png")
    errors = page.locator(f'{EXCEPTION}, [data-testid="stAlertContentError"]')
    assert errors.count() == 0, (where, errors.all_inner_texts())

    text = page.evaluate(VISIBLE_TEXT_JS)
    assert not MISSING_WORDS.search(text), (where, MISSING_WORDS.search(text).group(0))
    priced = UNIT_PRICE.sub("", text)
    assert not CENTS.search(priced), (where, CENTS.search(priced).group(0))
    codes = SNAKE_CASE.findall(ALLOWED_CODES.sub("", text))
    assert not codes, (where, codes)
    truncated = page.evaluate(TRUNCATED_BUTTONS_JS)
    assert not truncated, (where, truncated)
