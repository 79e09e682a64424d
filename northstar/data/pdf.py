"""HTML printed to PDF by headless Chromium (the brief's PDF, downloaded or e-mailed)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from northstar.data.db.paths import REPO_ROOT

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")


def chromium_executable() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        path = shutil.which(candidate) or (candidate if Path(candidate).is_file() else None)
        if path:
            return path
    return None


class PdfUnavailable(RuntimeError):
    """No headless chromium on this machine to print the PDF."""


def html_to_pdf(document: str, timeout_seconds: float = 90) -> bytes:
    """Print an HTML document to PDF with headless chromium (raises PdfUnavailable without it)."""
    chromium = chromium_executable()
    if chromium is None:
        raise PdfUnavailable(
            "PDF export needs Chromium (Debian package 'chromium'); download the HTML brief "
            "instead and print it from a browser."
        )
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "brief.html"
        target = Path(folder) / "brief.pdf"
        source.write_text(document, encoding="utf-8")
        command = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={Path(folder) / 'profile'}",
            "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw",
            "--virtual-time-budget=10000",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        subprocess.run(
            command, check=False, capture_output=True, timeout=timeout_seconds, cwd=REPO_ROOT
        )
        if not target.exists() or target.stat().st_size == 0:
            raise PdfUnavailable("Chromium did not produce a PDF; download the HTML brief instead.")
        return target.read_bytes()
