"""The built pages, as a reader's browser shows them (Debian's headless Chromium, no network).

Each page is served from _build/html on the loopback interface and checked for: math rendered by
MathJax served from the build itself, no broken image, nothing loaded from another host, and no
cell output showing a warning, a traceback or progress-bar debris. A full-page screenshot of
each is saved under _build/screenshots/ for a person to look at.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from pathlib import Path

import pytest
import yaml
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "_build" / "screenshots"

pytestmark = [pytest.mark.book, pytest.mark.browser]

# What must never appear in a rendered cell output.
DEBRIS = re.compile(
    r"Warning\b|Traceback|Error:|DeprecationWarning|FutureWarning|it/s\]|\d+%\|[█#▉▊▋▌▍▎▏ ]*\||"
    r"━━|█|install \"ipywidgets\""
)


def pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    entries = [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]
    return [f"{entry}.html" for entry in entries]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture(scope="module")
def server(built_book):
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not (chromium and driver_path):
        pytest.fail("Chromium and chromedriver are needed: `make test` installs them (Debian)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--window-size=1280,900",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


def _wait_for_mathjax(driver) -> None:
    driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const start = Date.now();
        (function poll() {
          const mj = window.MathJax;
          if (mj && mj.startup && mj.startup.promise) {
            mj.startup.promise.then(() => done(true), () => done(false));
          } else if (Date.now() - start > 20000) { done(false); }
          else { setTimeout(poll, 100); }
        })();
        """
    )


@pytest.mark.parametrize("page", pages())
def test_page_renders_cleanly(browser, server, page):
    browser.get(f"{server}/{page}")
    assert "404" not in browser.title, f"{page} is missing"
    has_math = browser.execute_script(
        "return document.querySelectorAll('.math, span.math, div.math').length"
    )
    if has_math:
        _wait_for_mathjax(browser)
        rendered = browser.execute_script(
            "return document.querySelectorAll('mjx-container').length"
        )
        errors = browser.execute_script("return document.querySelectorAll('mjx-merror').length")
        assert rendered >= has_math, f"{page}: {rendered} of {has_math} formulas rendered"
        assert errors == 0, f"{page}: MathJax reported {errors} errors"
        mathjax_src = browser.execute_script(
            "return [...document.scripts].map(s => s.src).filter(s => /mathjax/i.test(s))"
        )
        assert mathjax_src and all(src.startswith(server) for src in mathjax_src), mathjax_src

    broken = browser.execute_script(
        "return [...document.images].filter(i => !(i.complete && i.naturalWidth > 0))"
        ".map(i => i.src)"
    )
    assert not broken, f"{page}: broken images {broken}"

    foreign = browser.execute_script(
        """
        const urls = performance.getEntriesByType('resource').map(e => e.name);
        urls.push(...[...document.querySelectorAll('script[src], link[href], img[src]')]
                   .map(e => e.src || e.href));
        return urls.filter(u => u && !u.startsWith(arguments[0]) && !u.startsWith('data:'));
        """,
        server,
    )
    # Links to other sites are fine; loading anything from them is not.
    loaded_elsewhere = [
        u for u in foreign
        if not browser.execute_script(
            "return !!document.querySelector(`link[rel~='canonical'][href='${arguments[0]}']`)", u
        )
    ]
    assert not loaded_elsewhere, f"{page}: loads from other hosts: {loaded_elsewhere}"

    outputs = browser.execute_script(
        "return [...document.querySelectorAll('.cell_output')].map(e => e.innerText)"
    )
    dirty = [text[:200] for text in outputs if DEBRIS.search(text)]
    assert not dirty, f"{page}: outputs with warnings or debris: {dirty}"
    stderr = browser.execute_script("return document.querySelectorAll('.output.stderr').length")
    assert stderr == 0, f"{page}: {stderr} stderr outputs are shown"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(max(height, 900), 16000))
    shot = SCREENSHOTS / (page.replace("/", "__").removesuffix(".html") + ".png")
    assert browser.save_screenshot(str(shot)), f"could not save {shot}"
    browser.set_window_size(1280, 900)


@pytest.mark.parametrize(
    "text",
    [
        "/x/plotnine/themes/themeable.py:2486: FutureWarning: You no longer need",
        "UserWarning: install \"ipywidgets\" for Jupyter support",
        "Traceback (most recent call last):",
        "Sampling 2 chains: 100%|██████████| 4000/4000 [00:02<00:00, 1618.76it/s]",
        "━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 100% 0:00:01",
        "ValueError: sigma must be positive",
    ],
)
def test_debris_pattern_catches_warnings_and_progress_bars(text):
    assert DEBRIS.search(text)


@pytest.mark.parametrize(
    "text",
    [
        "divergences 0\ntreedepth_hits 0\nmax_rhat 1.002",
        "mean sd eti89_lb eti89_ub truth inside ess_bulk r_hat\nalpha 0.438 0.060",
        "array([-17. ,   0.1,  17.1])",
    ],
)
def test_debris_pattern_leaves_ordinary_outputs_alone(text):
    assert not DEBRIS.search(text)
