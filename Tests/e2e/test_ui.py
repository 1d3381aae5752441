"""The web app at / in real headless Chromium against the real `sluice serve`
(issue 5): sign in, upload with counts and rejected rows, live leads within a second,
tenant isolation across two browsers, reconnect after an outage, screenshots of every
page in .build/ui/, and no console errors from the app's own code.

Skipped when Chromium is not installed, unless SLUICE_UI_REQUIRED is set (make test)."""

import csv
import glob
import io
import os
import shutil
import tempfile
import time
import unittest

import nextgen_export
from server import ServerTestCase, nextgen_payload
from support import VENDORS
from ui_browser import Browser, require_chromium
from ui_server import UIServer


class WebAppServingTests(ServerTestCase):
    """The static files over plain HTTP (no browser needed)."""

    def test_index_and_assets_have_types_caching_and_a_strict_policy(self):
        r = self.server.get("/")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers["content-type"], "text/html; charset=utf-8")
        self.assertIn(b'<script type="module" src="/app/js/main.js">', r.body)
        csp = r.headers["content-security-policy"]
        self.assertIn("script-src 'self'", csp)
        self.assertIn("default-src 'none'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertEqual(r.headers["x-content-type-options"], "nosniff")
        self.assertEqual(r.headers["cache-control"], "no-cache")
        for path, ctype in (("/app/app.css", "text/css"), ("/app/js/main.js", "text/javascript"),
                            ("/app/js/events.js", "text/javascript"), ("/app/notify.wav", "audio/wav"),
                            ("/app/icon.svg", "image/svg+xml")):
            a = self.server.get(path)
            self.assertEqual(a.status, 200, path)
            self.assertTrue(a.headers["content-type"].startswith(ctype), (path, a.headers))
            self.assertTrue(a.headers.get("etag"), path)
            # A current copy is confirmed without a body.
            again = self.server.get(path, headers={"If-None-Match": a.headers["etag"]})
            self.assertEqual((again.status, again.body), (304, b""), path)

    def test_no_inline_script_or_style_in_the_page(self):
        body = self.server.get("/").body.decode()
        self.assertNotRegex(body, r"<script(?![^>]*\bsrc=)[^>]*>")
        self.assertNotIn("<style", body)
        self.assertNotRegex(body, r"\son[a-z]+=")
        self.assertNotRegex(body, r"\sstyle=")

    def test_paths_outside_the_file_table_are_404(self):
        for path in ("/app/../Package.swift", "/app/%2e%2e/Package.swift", "/app/js/..%2f..%2fPackage.swift",
                     "/app/js/../../../../etc/passwd", "/app/nope.js", "/app/js/", "/app/Web/index.html",
                     "/app/.hidden", "/app/js/main.js.map"):
            r = self.server.raw(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path).encode())
            self.assertTrue(r.startswith(b"HTTP/1.1 404"), (path, r[:200]))
            self.assertNotIn(b"root:", r)
            self.assertNotIn(b"PackageDescription", r)

    def test_without_the_files_the_page_is_a_clear_503_and_the_api_still_works(self):
        empty = tempfile.mkdtemp(prefix="sluice-noweb-")
        self.addCleanup(shutil.rmtree, empty, True)
        s = UIServer(env={"SLUICE_WEB_ROOT": empty}).start()
        self.addCleanup(s.cleanup)
        for path in ("/", "/app/app.css"):
            self.assertError(s.get(path), 503, "web_app_unavailable")
        self.assertIn("SLUICE_WEB_ROOT", s.get("/").json()["error"])
        self.assertTrue(s.healthy())


class WebAppBrowserTests(unittest.TestCase):
    """One agent journey through the app, in order, on one server that is restarted."""

    @classmethod
    def setUpClass(cls):
        require_chromium()

    def setUp(self):
        for old in glob.glob(os.path.join(os.path.dirname(__file__), "..", "..", ".build", "ui", "*.png")):
            os.remove(old)
        self.server = UIServer().start()
        self.addCleanup(self.server.cleanup)
        s = self.server
        self.tenant_a, self.tenant_b = s.tenant("UI Agency A"), s.tenant("UI Agency B")
        self.admin_a = s.user(self.tenant_a, role="admin", password="correct horse battery")
        self.agent_b = s.user(self.tenant_b, role="agent", password="staple horse battery")
        self.cred_a = s.nextgen_credential(self.tenant_a)
        self.cred_b = s.nextgen_credential(self.tenant_b)
        self.browsers = []
        self.addCleanup(self.report_console)
        self.work = tempfile.mkdtemp(prefix="sluice-ui-files-")
        self.addCleanup(shutil.rmtree, self.work, True)

    def browser(self, name, **kw):
        b = Browser(name, "http://127.0.0.1:%d" % self.server.port, **kw)
        self.browsers.append(b)
        return b

    def report_console(self):
        """Fails on the app's own console errors; lists the allowed network errors."""
        app_errors, allowed, unexpected = [], [], []
        for b in self.browsers:
            a, ok, bad = b.sort_logs()
            app_errors += a
            allowed += ok
            unexpected += bad
            b.quit()
        if allowed:
            print("\nexpected browser network errors (a deliberate wrong password and outage), %d:" % len(allowed))
            for line in allowed:
                print("  " + line[:300])
        problems = app_errors + unexpected
        if problems:
            raise AssertionError("console errors (app code, or network errors outside the outage):\n  "
                                 + "\n  ".join(p[:500] for p in problems))

    # Page helpers ----------------------------------------------------------------------

    def sign_in(self, b, user, keyboard=True):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys

        b.open("/")
        b.wait(lambda: b.js("return document.documentElement.dataset.view") == "login", message="login view")
        email = b.driver.find_element(By.ID, "login-email")
        email.click()
        email.send_keys(user["email"])
        if keyboard:
            # Keyboard only: Tab to the password, Enter submits.
            email.send_keys(Keys.TAB)
            b.driver.switch_to.active_element.send_keys(user["password"] + Keys.ENTER)
        else:
            b.driver.find_element(By.ID, "login-password").send_keys(user["password"])
            b.driver.find_element(By.ID, "login-submit").click()
        self.wait_live(b)

    def wait_live(self, b, timeout=10):
        b.wait(lambda: b.js("return document.documentElement.dataset.view") == "leads", timeout, "leads view")
        b.wait(lambda: b.js("return document.getElementById('connection').dataset.state") == "live",
               timeout, "event stream live")

    def row_ids(self, b):
        return b.js("return [...document.querySelectorAll('#leads-body tr')].map(t => t.dataset.id)")

    def row_text(self, b):
        return b.js("return document.getElementById('leads-body').innerText")

    def go(self, b, hash_, view):
        from selenium.webdriver.common.by import By

        b.driver.find_element(By.CSS_SELECTOR, '[data-nav="%s"]' % hash_).click()
        b.wait(lambda: b.js("return document.documentElement.dataset.view") == view, message=view)

    # The journey -----------------------------------------------------------------------

    def test_agent_journey(self):
        from selenium.webdriver.common.by import By

        s = self.server
        a = self.browser("a")
        a.open("/")
        a.wait(lambda: a.js("return document.documentElement.dataset.view") == "login", message="login view")
        a.screenshot("01-sign-in")

        # A wrong password says so (its 401 is an expected network error).
        with a.expecting_network_errors("wrong password"):
            a.driver.find_element(By.ID, "login-email").send_keys(self.admin_a["email"])
            a.driver.find_element(By.ID, "login-password").send_keys("wrong password")
            a.driver.find_element(By.ID, "login-submit").click()
            a.wait(lambda: a.driver.find_element(By.ID, "login-error").is_displayed(), message="login error")
            self.assertIn("do not match", a.driver.find_element(By.ID, "login-error").text)
        a.driver.find_element(By.ID, "login-email").clear()

        self.sign_in(a, self.admin_a)
        self.assertEqual(self.row_ids(a), [])
        self.assertIn(self.admin_a["email"], a.driver.find_element(By.ID, "whoami").text)
        a.screenshot("02-leads-empty")

        # --- Upload: 3 good rows and one rejected row with a formula in it.
        rows = nextgen_export.rows(leads=3, pairs=0)
        rows[1].update(phone="", email="", lead_id="", first_name="=HYPERLINK(1)")
        path = os.path.join(self.work, "purchases.csv")
        nextgen_export.write(path, rows)
        self.go(a, "upload", "upload")
        a.screenshot("03-upload-empty")
        a.driver.find_element(By.ID, "upload-file").send_keys(path)
        a.wait(lambda: a.driver.find_element(By.ID, "upload-submit").is_enabled(), message="upload enabled")
        a.driver.find_element(By.ID, "upload-submit").click()
        a.wait(lambda: a.driver.find_element(By.ID, "upload-result").is_displayed(), 20, "upload result")
        counts = a.js("return Object.fromEntries([...document.querySelectorAll('#upload-counts [data-count]')]"
                      ".map(d => [d.dataset.count, Number(d.querySelector('dd').textContent)]))")
        self.assertEqual(counts, {"rows": 3, "created": 2, "updated": 0, "unchanged": 0, "skipped": 1,
                                  "rejected": 1})
        self.assertEqual(a.js("return document.getElementById('upload-bytes').value"), 100)
        a.wait(lambda: a.js("return document.getElementById('upload-rows').value") == 100, 5, "import bar full")
        self.assertIn("3 rows read", a.driver.find_element(By.ID, "upload-rows-text").text)
        self.assertNotIn("undefined", a.driver.find_element(By.ID, "view-upload").text)
        a.screenshot("04-upload-result")

        # The rejected rows download, neutralised for spreadsheets.
        a.driver.find_element(By.ID, "upload-download").click()
        files = a.wait(lambda: [f for f in glob.glob(os.path.join(a.downloads, "*-rejected.csv"))], 10,
                       "rejected rows file")
        with open(files[0], newline="", encoding="utf-8") as f:
            text = f.read()
        table = list(csv.reader(io.StringIO(text)))
        self.assertEqual(table[0][:3], ["row", "line", "reason"])
        self.assertEqual(table[0][3:], list(nextgen_export.COLUMNS))
        self.assertEqual(len(table), 2, table)
        self.assertEqual(table[1][:2], ["2", "3"])
        self.assertEqual(table[1][3 + nextgen_export.COLUMNS.index("first_name")], "'=HYPERLINK(1)")
        for cell in (c for r in table for c in r):
            self.assertFalse(cell[:1] in ("=", "+", "-", "@"), cell)

        # The list picked the import up from import_completed.
        self.go(a, "leads", "leads")
        a.wait(lambda: len(self.row_ids(a)) == 2, 5, "2 imported leads listed")

        # --- Tenant B in a second browser, same moment.
        b = self.browser("b")
        self.sign_in(b, self.agent_b, keyboard=False)
        self.assertEqual(self.row_ids(b), [])

        # --- A webhook lead appears within 1 s, from the event, without a reload.
        a.js("window.sluiceNoReload = 'still here'")
        chimes = int(a.js("return document.documentElement.dataset.chimes || '0'"))
        r = s.webhook(self.cred_a, nextgen_payload(7001, first_name="Webhook", last_name="Walker"))
        posted = time.monotonic()
        self.assertEqual(r.status, 201, r)
        lead_id = r.json()["leadId"]
        a.wait(lambda: lead_id in self.row_ids(a), 1.0, "webhook lead on screen within 1 s")
        print("\nwebhook lead on screen after %.0f ms" % ((time.monotonic() - posted) * 1000))
        self.assertEqual(a.js("return window.sluiceNoReload"), "still here", "the page reloaded")
        self.assertEqual(len(self.row_ids(a)), 3)
        self.assertGreater(int(a.js("return document.documentElement.dataset.chimes || '0'")), chimes)
        # Enrichment fills the same row in place.
        a.wait(lambda: a.js("return document.querySelector('#leads-body tr[data-id=\"%s\"]').dataset.enrichment"
                            % lead_id) == "done", 10, "enrichment done in the row")
        self.assertEqual(a.js("return window.sluiceNoReload"), "still here")
        a.screenshot("05-leads-live")

        # Tenant B never sees it.
        time.sleep(1.0)
        self.assertEqual(self.row_ids(b), [])
        self.assertNotIn("Webhook", self.row_text(b))
        b.screenshot("06-tenant-b-leads")

        # --- A lead outside the active search raises the counter instead.
        q = a.driver.find_element(By.ID, "leads-q")
        q.send_keys("Walker")
        a.wait(lambda: self.row_ids(a) == [lead_id], 5, "search narrows to the webhook lead")
        r2 = s.webhook(self.cred_a, nextgen_payload(7002, first_name="Other", last_name="Person"))
        self.assertEqual(r2.status, 201)
        a.wait(lambda: a.driver.find_element(By.ID, "hidden-count").is_displayed(), 2, "hidden-lead counter")
        self.assertIn("1 new lead", a.driver.find_element(By.ID, "hidden-count").text)
        self.assertEqual(self.row_ids(a), [lead_id])
        a.screenshot("07-leads-counter")
        a.driver.find_element(By.ID, "hidden-count").click()
        a.wait(lambda: len(self.row_ids(a)) == 4, 5, "all four leads after clearing the search")

        # Tenant B's own webhook lead shows for B only.
        rb = s.webhook(self.cred_b, nextgen_payload(7003, first_name="Bravo"))
        b.wait(lambda: self.row_ids(b) == [rb.json()["leadId"]], 2, "B's own lead")
        time.sleep(0.5)
        self.assertNotIn(rb.json()["leadId"], self.row_ids(a))

        # --- Detail: every field, warnings, enrichment.
        a.driver.find_element(By.CSS_SELECTOR, 'a[href="#/leads/%s"]' % lead_id).click()
        a.wait(lambda: a.js("return document.documentElement.dataset.view") == "lead", message="detail view")
        a.wait(lambda: "Webhook Walker" in a.driver.find_element(By.ID, "lead-title").text, 5, "detail title")
        detail = a.driver.find_element(By.ID, "lead-body").text
        for needle in ("+15553007001", "lead7001@example.com", "Enrichment", "done", "Ingest warnings",
                       "Purchases (1)", "household_income", lead_id):
            self.assertIn(needle, detail)
        a.screenshot("08-lead-detail")
        a.driver.back()
        a.wait(lambda: a.js("return document.documentElement.dataset.view") == "leads", message="back to list")

        # --- Vendors (admin).
        self.go(a, "vendors", "vendors")
        vendors = a.driver.find_element(By.ID, "view-vendors").text
        self.assertIn("/api/webhooks/nextgen", vendors)
        self.assertIn("sluice credentials add --tenant %s --vendor nextgen" % self.tenant_a, vendors)
        a.screenshot("09-vendors")
        self.assertFalse(b.driver.find_element(By.ID, "nav-vendors").is_displayed(), "agents get no Vendors link")
        self.go(a, "leads", "leads")

        # --- Outage: stop the host, import one lead with the CLI, start it again.
        before = self.row_ids(a)
        with a.expecting_network_errors("server stopped"), b.expecting_network_errors("server stopped"):
            self.assertEqual(s.stop(), 0)
            a.wait(lambda: a.js("return document.getElementById('connection').dataset.state") != "live", 10,
                   "the app notices the outage")
            # The app really tries while the host is down (and the browser logs that).
            a.wait(lambda: a.drain_logs() or any("WebSocket connection" in e["message"] for e in a.entries
                                                 if e["window"] == "server stopped"), 10, "a failed reconnect")
            a.screenshot("10-leads-reconnecting")
            down = nextgen_export.rows(leads=1, pairs=0)
            down[0].update(first_name="Outage", last_name="Imported", phone="5559990001",
                           email="outage@example.com", lead_id="D-OUT-0001",
                           purchase_id="OUTAGE-PURCHASE-0001")
            down_path = os.path.join(self.work, "outage.csv")
            nextgen_export.write(down_path, down)
            reply = s.cli("import", down_path, "--tenant", self.tenant_a, "--vendors", VENDORS)
            self.assertEqual(reply["created"], 1, reply)
            s.start()
            started = time.monotonic()
            a.wait(lambda: "Outage Imported" in self.row_text(a), 40, "the CLI lead after the reconnect")
            print("app reconnected and showed the CLI lead %.1f s after the restart"
                  % (time.monotonic() - started))
            self.wait_live(a, 10)
            self.wait_live(b, 40)
        self.assertEqual(a.js("return window.sluiceNoReload"), "still here", "the page reloaded to reconnect")
        ids = self.row_ids(a)
        self.assertEqual(len(ids), len(set(ids)), "a lead is listed twice")
        self.assertEqual(len(ids), len(before) + 1)
        a.screenshot("11-leads-after-reconnect")
        # Live again: a new webhook still arrives at once; B still sees only its own.
        r3 = s.webhook(self.cred_a, nextgen_payload(7004, first_name="After", last_name="Restart"))
        a.wait(lambda: r3.json()["leadId"] in self.row_ids(a), 1.0, "live after the restart")
        time.sleep(0.5)
        self.assertEqual(self.row_ids(b), [rb.json()["leadId"]])
        self.assertNotIn("Outage", self.row_text(b))

        # --- Phone width.
        a.driver.set_window_size(390, 844)
        time.sleep(0.3)
        self.assertLessEqual(a.js("return document.documentElement.scrollWidth"),
                             a.js("return window.innerWidth") + 1, "page wider than a phone screen")
        a.screenshot("12-leads-phone")
        a.driver.set_window_size(1280, 800)

        # --- Mute is remembered across a reload.
        a.driver.find_element(By.ID, "mute").click()
        self.assertEqual(a.driver.find_element(By.ID, "mute").get_attribute("aria-pressed"), "true")
        a.driver.refresh()
        self.wait_live(a)
        self.assertEqual(a.driver.find_element(By.ID, "mute").get_attribute("aria-pressed"), "true")

        # --- Sign out revokes the token.
        token = a.js("return JSON.parse(sessionStorage.getItem('sluice.session')).token")
        a.driver.find_element(By.ID, "sign-out").click()
        a.wait(lambda: a.js("return document.documentElement.dataset.view") == "login", message="signed out")
        self.assertIsNone(a.js("return sessionStorage.getItem('sluice.session')"))
        self.assertEqual(s.get("/api/leads", token=token).status, 401)
        a.screenshot("13-signed-out")
        self.assertEqual(self.row_ids(a), [])


if __name__ == "__main__":
    unittest.main()
