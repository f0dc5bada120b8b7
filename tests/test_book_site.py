"""The built course site in a real browser: every page, no request to another host.

Headless Chromium (Debian's ``chromium``, driven by the ``playwright`` package with the system
browser, so nothing is downloaded) opens every page of ``book/_build/html`` served from
127.0.0.1. Requests to any other host are blocked and reported; failed requests, uncaught
script errors, missing plots, untypeset math, unrendered widgets, open solutions and missing
launch buttons fail the tests. The site is built first (``book/build_book.py``, what
``make book`` runs) when it is missing or older than its sources. Screenshots of the intro and
a lesson go to ``book/_build/screenshots/``.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import NOTEBOOK_DIR, ROOT, lesson_notebooks

from course_utils.lessons import no_binder_pages

pytestmark = pytest.mark.slow

BOOK = ROOT / "book"
HTML = BOOK / "_build" / "html"
SCREENSHOTS = BOOK / "_build" / "screenshots"
SITE_SOURCES = ["*.md", "_config.yml", "_toc.yml", "build_book.py", "package-lock.json",
                "_site_js/*.js", "_ext/*.py"]
CHROMIUM_CANDIDATES = ["/usr/lib/chromium/chromium", "chromium", "chromium-browser",
                       "google-chrome"]
TIMEOUT_MS = 60_000  # generous: shared build machines have slow spells
SCREENSHOT_LESSON = "notebooks/01_resnet_skip_connections.html"


def _missing_browser(reason: str) -> None:
    """Fail under CI (the browser is part of the CI setup), skip on a developer's machine."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(f"{reason}; install it with `apt-get install chromium` (Debian) or set "
                "CHROMIUM=/path/to/chromium")


def find_chromium() -> str | None:
    """$CHROMIUM, else Debian's real binary (not its shell wrapper), else one on PATH."""
    for candidate in [os.environ.get("CHROMIUM", ""), *CHROMIUM_CANDIDATES]:
        if not candidate:
            continue
        path = candidate if os.path.isabs(candidate) else shutil.which(candidate)
        if path and os.access(path, os.X_OK):
            return path
    return None


def site_is_stale() -> bool:
    """True when the built site is missing or older than a notebook or a book source."""
    index = HTML / "index.html"
    if not index.exists():
        return True
    sources = list(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
    for pattern in SITE_SOURCES:
        sources += BOOK.glob(pattern)
    built = index.stat().st_mtime
    return any(src.stat().st_mtime > built for src in sources)


@pytest.fixture(scope="session")
def built_site() -> Path:
    """book/_build/html, rebuilt with the same command as `make book` when stale."""
    if site_is_stale():
        proc = subprocess.run([sys.executable, str(BOOK / "build_book.py")], cwd=ROOT,
                              capture_output=True, text=True, timeout=1800)
        assert proc.returncode == 0, f"book build failed:\n{proc.stdout[-4000:]}{proc.stderr}"
    return HTML


@pytest.fixture(scope="session")
def site_url(built_site):
    """Serve the built site on 127.0.0.1 (an ephemeral port) for the whole session."""

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # noqa: D102 - keep the test output readable
            pass

    handler = functools.partial(QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@dataclass
class PageReport:
    """What one page did in the browser."""

    path: str
    outside: list[str] = field(default_factory=list)   # requests to another host (blocked)
    failed: list[str] = field(default_factory=list)    # 4xx/5xx responses, network errors
    errors: list[str] = field(default_factory=list)    # uncaught script errors
    math_nodes: int = 0          # Sphinx math elements in the page
    mathjax: int = 0             # mjx-container elements after typesetting
    mathjax_errors: int = 0      # mjx-merror elements
    widget_scripts: int = 0      # saved widget views in the page
    widgets: int = 0             # rendered widget views (.jupyter-widgets)
    sliders: int = 0             # rendered sliders (.widget-slider)
    plots: int = 0               # loaded images of cell outputs
    solutions: int = 0           # cells tagged solution
    solutions_closed: int = 0    # ... whose code starts hidden in a closed toggle
    solution_opens: bool | None = None  # clicking the first toggle shows the code
    launch_links: list[str] = field(default_factory=list)


def site_pages(html: Path) -> list[str]:
    """Every HTML page of the site (relative paths), theme assets excluded."""
    return sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html")
                  if not p.relative_to(html).parts[0].startswith("_"))


def _wait_for(page, selector: str) -> None:
    """Wait for a selector; a timeout is not an error here (the counts decide)."""
    try:
        page.wait_for_selector(selector, state="attached", timeout=TIMEOUT_MS)
    except Exception:  # noqa: BLE001 - playwright's TimeoutError; the report shows the count
        pass


def _visit(context, base: str, path: str) -> PageReport:
    report = PageReport(path)
    page = context.new_page()
    page.on("pageerror", lambda exc: report.errors.append(str(exc)))
    # Local network errors; outside requests are reported by the gate below, and an aborted
    # request (a 404 is also reported as a response, a redirect page aborts its loads) is not.
    page.on("requestfailed", lambda req: report.failed.append(f"{req.url} ({req.failure})")
            if req.url.startswith(base) and "ERR_ABORTED" not in (req.failure or "")
            else None)
    page.on("response", lambda resp: report.failed.append(f"{resp.url} (HTTP {resp.status})")
            if resp.status >= 400 else None)

    def gate(route):
        url = route.request.url
        if url.startswith(base) or url.startswith("data:"):
            route.continue_()
        else:
            report.outside.append(url)
            route.abort()

    page.route("**/*", gate)
    page.goto(base + path, wait_until="networkidle", timeout=TIMEOUT_MS)
    report.math_nodes = page.locator(".math").count()
    report.widget_scripts = page.locator(
        'script[type="application/vnd.jupyter.widget-view+json"]').count()
    if report.math_nodes:
        _wait_for(page, "mjx-container")
        page.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise "
                      "? MathJax.startup.promise.then(() => true) : true")  # typeset done
    if report.widget_scripts:
        _wait_for(page, ".jupyter-widgets")
    page.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)
    report.mathjax = page.locator("mjx-container").count()
    report.mathjax_errors = page.locator("mjx-merror").count()
    report.widgets = page.locator(".jupyter-widgets").count()
    report.sliders = page.locator(".widget-slider").count()
    report.plots = page.evaluate(
        "() => [...document.querySelectorAll('.cell_output img')]"
        ".filter(img => img.complete && img.naturalWidth > 0).length")
    solutions = page.locator(".cell.tag_solution")
    report.solutions = solutions.count()
    for i in range(report.solutions):
        cell = solutions.nth(i)
        toggle = cell.locator("details.hide")
        closed = toggle.count() == 1 and toggle.get_attribute("open") is None
        if closed and not cell.locator(".cell_input pre").first.is_visible():
            report.solutions_closed += 1
    if path in ("intro.html", SCREENSHOT_LESSON):
        _screenshots(page, path)  # before the click below opens a solution
    if report.solutions:
        first = solutions.first
        first.locator("details.hide > summary").click()
        report.solution_opens = first.locator(".cell_input pre").first.is_visible()
    report.launch_links = [a.get_attribute("href") or "" for a in page.locator(
        'a[href*="colab.research.google.com"], a[href*="mybinder.org"]').all()]
    page.close()
    return report


def _screenshots(page, path: str) -> None:
    """The intro (whole page) and the lesson (top, and its first slider) for a person to see."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if path == "intro.html":
        page.screenshot(path=str(SCREENSHOTS / "intro.png"), full_page=True)
        return
    page.screenshot(path=str(SCREENSHOTS / "lesson-top.png"))
    slider = page.locator(".widget-slider").first
    if slider.count():
        slider.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / "lesson-widget.png"))


@pytest.fixture(scope="session")
def reports(site_url, built_site) -> dict[str, PageReport]:
    """Open every page once in headless Chromium and record what happened."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing_browser("the playwright package is not installed (pip install -e .)")
    chromium = find_chromium()
    if chromium is None:
        _missing_browser("Chromium was not found")
    out: dict[str, PageReport] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      service_workers="block")
        try:
            for path in site_pages(built_site):
                out[path] = _visit(context, site_url, path)
        finally:
            browser.close()
    return out


def _lesson_pages(reports: dict[str, PageReport]) -> dict[str, PageReport]:
    return {p: r for p, r in reports.items() if p.startswith("notebooks/")}


def _png_outputs(notebook: Path) -> int:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return sum("image/png" in out.get("data", {})
               for cell in cells for out in cell.get("outputs", []))


def test_every_page_and_every_lesson_is_built(reports):
    lessons = {f"notebooks/{nb.stem}.html" for nb in lesson_notebooks()}
    assert lessons, "no lesson notebooks found"
    missing = lessons - set(reports)
    assert not missing, f"lessons without a page: {sorted(missing)}"
    for page in ("intro.html", "instructor_guide.html", "glossary.html", "references.html"):
        assert page in reports, f"{page} was not built"


def test_no_request_leaves_the_local_server(reports):
    outside = {p: r.outside for p, r in reports.items() if r.outside}
    assert not outside, f"pages requested other hosts (CDNs?): {outside}"


def test_no_request_fails(reports):
    failed = {p: r.failed for p, r in reports.items() if r.failed}
    assert not failed, f"failed requests: {failed}"


def test_no_script_errors(reports):
    errors = {p: r.errors for p, r in reports.items() if r.errors}
    assert not errors, f"uncaught script errors: {errors}"


def test_lesson_plots_are_shown(reports):
    for nb in lesson_notebooks():
        expected = _png_outputs(nb)
        report = reports[f"notebooks/{nb.stem}.html"]
        assert report.plots >= expected, (
            f"{report.path}: {report.plots} plot(s) loaded, the notebook has {expected}")
    assert sum(r.plots for r in reports.values()) > 0, "no plot on any page"


def test_math_is_typeset_by_mathjax(reports):
    with_math = {p: r for p, r in reports.items() if r.math_nodes}
    assert with_math, "no page has math: the lessons do, so the check itself is broken"
    for path, r in with_math.items():
        assert r.mathjax >= r.math_nodes, (
            f"{path}: {r.math_nodes} math element(s) but {r.mathjax} typeset by MathJax")
        assert r.mathjax_errors == 0, f"{path}: {r.mathjax_errors} MathJax error(s)"


def test_widgets_render_from_saved_state(reports):
    for path, r in reports.items():
        if r.widget_scripts:
            assert r.widgets > 0, f"{path}: {r.widget_scripts} saved widget view(s), none drawn"
    assert any(r.sliders for r in _lesson_pages(reports).values()), "no slider on any lesson"


def test_exercise_solutions_start_collapsed(reports):
    lessons = _lesson_pages(reports)
    assert sum(r.solutions for r in lessons.values()) > 0, "no solution cell on any lesson"
    for path, r in lessons.items():
        assert r.solutions_closed == r.solutions, (
            f"{path}: {r.solutions - r.solutions_closed} of {r.solutions} solution(s) visible "
            "without a click")
        assert r.solution_opens in (None, True), f"{path}: clicking a solution toggle did nothing"


def test_each_lesson_has_colab_and_binder_buttons_for_its_notebook(reports):
    """Binder only where the lesson fits a Binder session (lessons.toml `binder`)."""
    no_binder = no_binder_pages()
    for nb in lesson_notebooks():
        links = reports[f"notebooks/{nb.stem}.html"].launch_links
        target = f"notebooks/{nb.name}"
        assert any("colab.research.google.com" in u and u.endswith(target) for u in links), (
            f"{nb.name}: no Colab link to {target}: {links}")
        binder = any("mybinder.org" in u and u.endswith(target) for u in links)
        if f"notebooks/{nb.stem}" in no_binder:
            assert not binder, f"{nb.name} does not fit Binder, yet has a Binder link: {links}"
        else:
            assert binder, f"{nb.name}: no Binder link to {target}: {links}"


def test_screenshots_are_written(reports):
    for name in ("intro.png", "lesson-top.png", "lesson-widget.png"):
        shot = SCREENSHOTS / name
        assert shot.exists() and shot.stat().st_size > 10_000, f"missing screenshot {name}"



def test_missing_browser_fails_under_ci_and_skips_locally(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        _missing_browser("Chromium was not found")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        _missing_browser("Chromium was not found")
