"""Headless Chromium for the web app's end-to-end tests: finding the browser, starting
it with console logging, taking screenshots, and sorting console entries into the app's
own errors and the browser's network errors.

Needs Debian's `chromium` + `chromium-driver` and selenium (`make test-deps` installs
them). Without the browser the UI tests are skipped, unless SLUICE_UI_REQUIRED is set
(`make test` sets it), in which case they fail."""

import os
import re
import shutil
import tempfile
import time
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHOTS = os.path.join(ROOT, ".build", "ui")


def find_chromium():
    """(browser, driver) paths, or None for each one that is absent."""
    browser = os.environ.get("SLUICE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    driver = os.environ.get("SLUICE_CHROMEDRIVER") or shutil.which("chromedriver")
    if not driver and os.path.exists("/usr/lib/chromium/chromedriver"):
        driver = "/usr/lib/chromium/chromedriver"
    return browser, driver


def require_chromium():
    """Skips (or, with SLUICE_UI_REQUIRED, fails) when Chromium is absent; fails when
    selenium is missing next to a present Chromium. Returns (browser, driver)."""
    browser, driver = find_chromium()
    if not browser or not driver:
        missing = " and ".join(n for n, p in (("chromium", browser), ("chromium-driver", driver)) if not p)
        message = "%s not installed (apt-get install chromium chromium-driver, or `make test-deps`)" % missing
        if os.environ.get("SLUICE_UI_REQUIRED"):
            raise AssertionError("SLUICE_UI_REQUIRED is set but " + message)
        raise unittest.SkipTest("web app browser tests skipped: " + message)
    try:
        import selenium  # noqa: F401
    except ImportError:
        raise AssertionError("Chromium is installed but selenium is not: python3 -m pip install selenium "
                             "(`make test-deps` does it)")
    return browser, driver


def redact(text):
    """Tokens in logged URLs are secrets even in tests; keep them out of the output."""
    return re.sub(r"token=[^&\s'\"]+", "token=…", text)


class Browser:
    """One Chromium with its own profile (its own sessionStorage and localStorage)."""

    def __init__(self, name, base_url, width=1280, height=800):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        browser, driver = require_chromium()
        self.name = name
        self.base_url = base_url
        self.profile = tempfile.mkdtemp(prefix="sluice-ui-%s-" % name)
        self.downloads = os.path.join(self.profile, "downloads")
        os.makedirs(self.downloads)
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--window-size=%d,%d" % (width, height), "--user-data-dir=" + os.path.join(self.profile, "p"),
                    "--autoplay-policy=no-user-gesture-required", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        options.add_experimental_option("prefs", {
            "download.default_directory": self.downloads, "download.prompt_for_download": False})
        self.driver = webdriver.Chrome(service=Service(executable_path=driver), options=options)
        self.driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                                    {"behavior": "allow", "downloadPath": self.downloads})
        # Headless window size counts the viewport differently; set it exactly.
        self.driver.set_window_size(width, height)
        self.entries = []  # every console entry, with the label of the window it came in
        self.label = None

    # Console -------------------------------------------------------------------------

    def drain_logs(self):
        try:
            for e in self.driver.get_log("browser"):
                e["window"] = self.label
                self.entries.append(e)
        except Exception:  # the browser may be gone at teardown
            pass

    def expecting_network_errors(self, label):
        """A `with` block whose network errors are expected (the deliberate outage)."""
        browser = self

        class Window:
            def __enter__(self):
                browser.drain_logs()
                browser.label = label

            def __exit__(self, *exc):
                browser.drain_logs()
                browser.label = None

        return Window()

    def sort_logs(self):
        """(app_errors, allowed_network_errors, unexpected_network_errors)."""
        self.drain_logs()
        app, allowed, unexpected = [], [], []
        for e in self.entries:
            if e.get("level") != "SEVERE":
                continue
            line = "%s [%s] %s" % (self.name, e.get("source"), redact(e.get("message", "")))
            if e.get("source") == "network" or is_network_message(e.get("message", "")):
                (allowed if e["window"] else unexpected).append(line + ("  (during: %s)" % e["window"]
                                                                         if e["window"] else ""))
            else:
                app.append(line)
        return app, allowed, unexpected

    # Pages ---------------------------------------------------------------------------

    def open(self, path="/"):
        self.driver.get(self.base_url + path)

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def screenshot(self, name):
        os.makedirs(SHOTS, exist_ok=True)
        path = os.path.join(SHOTS, "%s-%s.png" % (self.name, name))
        self.driver.save_screenshot(path)
        return path

    def wait(self, condition, timeout=10, message="", poll=0.05):
        """Polls `condition()` until truthy; returns its value or fails with `message`."""
        deadline = time.monotonic() + timeout
        last_error = None
        while time.monotonic() < deadline:
            try:
                value = condition()
                if value:
                    return value
            except Exception as e:  # an element mid-replacement; try again
                last_error = e
            time.sleep(poll)
        raise AssertionError("%s: timed out after %.1f s (%s)%s" % (
            self.name, timeout, message, "; last error: %r" % last_error if last_error else ""))

    def quit(self):
        try:
            self.drain_logs()
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)


def is_network_message(message):
    """Console lines the browser itself writes for failed connections."""
    return bool(re.search(r"WebSocket connection to .* failed|net::ERR_|Failed to load resource", message))
