"""An upload's rejected rows as a server-side CSV, end to end: every rejected row kept in
the inbox beside the upload, `rejectedRowsUrl` in the replies, the download route with
its tenant sealing and auth, and the file's removal with the upload's."""

import csv
import glob
import io
import os
import time
import unittest

import nextgen_export
from server import ServerTestCase, multipart

COLUMNS = list(nextgen_export.COLUMNS)


def csv_bytes(rows):
    lines = [",".join(COLUMNS)] + [",".join(nextgen_export.cell(r.get(c, "")) for c in COLUMNS) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode()


def upload_with_bad_rows(good, bad, seed=3):
    """A NextGen CSV of `good` importable rows and `bad` rows with no phone, email or lead
    id, interleaved; bad row 0 holds a formula, bad row 1 a value spanning two lines.
    Returns (bytes, the 1-based data record numbers of the bad rows, the bad rows)."""
    rows = nextgen_export.rows(leads=good + bad, pairs=0, seed=seed)
    bad_rows, bad_records = [], []
    picked = {k * (good + bad) // bad for k in range(bad)}
    for i, r in enumerate(rows):
        if i in picked:
            r.update(phone="", email="", lead_id="")
            bad_rows.append(r)
            bad_records.append(i + 1)
    assert len(bad_rows) == bad
    bad_rows[0]["first_name"] = "=HYPERLINK(\"http://example.com\",\"x\")"
    bad_rows[1]["street_1"] = "12 Main St\r\nApt 4"
    return csv_bytes(rows), bad_records, bad_rows


def neutralised(value):
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


class RejectedRowsTests(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.tenant_a = s.tenant("Alpha")
        cls.agent_a = s.user(cls.tenant_a, role="agent")
        cls.admin_a = s.user(cls.tenant_a, role="admin")
        cls.tenant_b = s.tenant("Beta")
        cls.agent_b = s.user(cls.tenant_b, role="agent")

    def inbox(self, server=None):
        return os.path.join((server or self.server).dir, "inbox")

    def rejected_files(self, server=None):
        return sorted(glob.glob(os.path.join(self.inbox(server), "*.rejected.csv")))

    def test_every_rejected_row_is_in_the_download_with_its_reason(self):
        s = self.server
        data, bad_records, bad_rows = upload_with_bad_rows(good=40, bad=150)
        r = s.upload(self.agent_a["token"], "purchases.csv", data)
        self.assertEqual(r.status, 200, r)
        j = r.json()
        batch = j["batchId"]
        # (Other tests of this tenant may have stored some of the same people.)
        self.assertEqual((j["rows"], j["created"] + j["updated"], j["skipped"], j["errorCount"]), (190, 40, 150, 150))
        self.assertEqual(len(j["errors"]), 100)
        url = "/api/imports/%s/rejected.csv" % batch
        self.assertEqual(j["rejectedRowsUrl"], url)
        # The kept reply gives the same URL; the file sits beside the upload, private.
        kept = s.get("/api/imports/" + batch, token=self.admin_a["token"]).json()
        self.assertEqual(kept["rejectedRowsUrl"], url)
        path = os.path.join(self.inbox(), batch + ".rejected.csv")
        self.assertTrue(os.path.exists(os.path.join(self.inbox(), batch + ".csv")))
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)

        d = s.get(url, token=self.admin_a["token"])
        self.assertEqual(d.status, 200, d)
        self.assertEqual(d.headers["content-type"], "text/csv; charset=utf-8")
        self.assertEqual(d.headers["content-disposition"], 'attachment; filename="%s-rejected.csv"' % batch)
        self.assertEqual(d.headers["cache-control"], "no-store")
        self.assertEqual(int(d.headers["content-length"]), len(d.body))
        with open(path, "rb") as f:
            self.assertEqual(d.body, f.read())

        table = list(csv.reader(io.StringIO(d.body.decode("utf-8"), newline="")))
        self.assertEqual(table[0], ["row", "line", "reason"] + COLUMNS)
        body = table[1:]
        self.assertEqual(len(body), 150, "every rejected row, not only the first 100")
        self.assertEqual([int(t[0]) for t in body], bad_records)
        for t in body:
            self.assertTrue(t[2], t)
        # Row, line and reason agree with the reply's first 100.
        self.assertEqual([[int(t[0]), int(t[1]), t[2]] for t in body[:100]],
                         [[e["row"], e["line"], e["message"]] for e in j["errors"]])
        # The line after the two-line value moved down by one.
        self.assertEqual(int(body[2][1]) - int(body[1][1]), bad_records[2] - bad_records[1] + 1)
        # Each row's own values, a formula neutralised.
        for t, row in zip(body, bad_rows):
            self.assertEqual(t[3:], [neutralised(row[c]) for c in COLUMNS])
        self.assertEqual(body[0][3 + COLUMNS.index("first_name")], "'=HYPERLINK(\"http://example.com\",\"x\")")
        for cell in (c for t in table for c in t):
            self.assertNotIn(cell[:1], ("=", "+", "-", "@"), cell)

        # HEAD gives the headers alone.
        h = s.request("HEAD", url, token=self.agent_a["token"])
        self.assertEqual((h.status, h.body, h.headers["content-length"]), (200, b"", str(len(d.body))))

    def test_another_tenant_an_unknown_batch_and_no_token(self):
        s = self.server
        data, _, _ = upload_with_bad_rows(good=3, bad=2, seed=5)
        batch = s.upload(self.agent_a["token"], "a.csv", data).json()["batchId"]
        url = "/api/imports/%s/rejected.csv" % batch
        self.assertEqual(s.get(url, token=self.agent_a["token"]).status, 200)

        theirs = self.assertError(s.get(url, token=self.agent_b["token"]), 404, "not_found")
        unknown = self.assertError(
            s.get("/api/imports/im_01JTB00000000000000000NONE/rejected.csv", token=self.agent_a["token"]),
            404, "not_found")
        self.assertEqual(theirs, unknown, "another tenant's batch answers like one that does not exist")
        for bad_id in ("no-such-batch", "..", "%2e%2e", "im_..%2f..%2fsluice.db"):
            self.assertError(s.get("/api/imports/%s/rejected.csv" % bad_id, token=self.agent_a["token"]),
                             404, "not_found")

        self.assertError(s.get(url), 401, "unauthorized")
        self.assertError(s.get(url, token="slu_not-a-real-token"), 401, "unauthorized")
        self.assertError(s.get(url, headers={"Authorization": "Basic eDp5"}), 401, "unauthorized")
        self.assertError(s.get(url + "?token=" + self.agent_a["token"]), 401, "unauthorized")
        self.assertError(s.request("POST", url, body=b"", token=self.agent_a["token"]), 405,
                         "method_not_allowed")

    def test_an_upload_without_rejected_rows_has_no_file_and_a_null_url(self):
        s = self.server
        j = s.upload(self.agent_a["token"], "clean.csv", csv_bytes(nextgen_export.rows(leads=5, pairs=0, seed=9)))
        j = j.json()
        self.assertEqual((j["errorCount"], j["rejectedRowsUrl"]), (0, None))
        self.assertIsNone(s.get("/api/imports/" + j["batchId"], token=self.agent_a["token"]).json()["rejectedRowsUrl"])
        self.assertFalse(os.path.exists(os.path.join(self.inbox(), j["batchId"] + ".rejected.csv")))
        self.assertError(s.get("/api/imports/%s/rejected.csv" % j["batchId"], token=self.agent_a["token"]),
                         404, "not_found")

    def test_a_failed_upload_keeps_no_rejected_rows(self):
        s = self.fresh_server()
        t = s.tenant("Gamma")
        agent = s.user(t)
        data, _, _ = upload_with_bad_rows(good=3, bad=20, seed=13)
        # A second file part fails the upload after the first file's rows were read.
        body, ctype = multipart(file=("a.csv", data, "text/csv"), other=("b.csv", data, "text/csv"))
        r = s.request("POST", "/api/csv-upload", body=body, headers={"Content-Type": ctype}, token=agent["token"])
        self.assertError(r, 400, "invalid_payload")
        self.assertEqual(self.rejected_files(s), [])

    def test_the_inbox_purge_removes_the_rejected_rows_with_the_upload(self):
        s = self.fresh_server()
        t = s.tenant("Delta")
        agent = s.user(t)
        data, _, _ = upload_with_bad_rows(good=3, bad=4, seed=17)
        batch = s.upload(agent["token"], "a.csv", data).json()["batchId"]
        self.assertEqual(len(self.rejected_files(s)), 1)
        self.assertEqual(s.stop(), 0)

        # Kept 0 days: the purge at start removes the upload and its rejected rows.
        again = self.fresh_server(db=s.db, directory=s.dir, args=["--inbox-retention-days", "0"])
        upload = os.path.join(self.inbox(s), batch + ".csv")
        deadline = time.monotonic() + 10
        # The purge runs beside the start-up; it removes the upload, then its rejected rows.
        while time.monotonic() < deadline and (os.path.exists(upload) or self.rejected_files(s)):
            time.sleep(0.05)
        self.assertFalse(os.path.exists(upload))
        self.assertEqual(self.rejected_files(s), [])
        token = again.user(t)["token"]
        # The import's reply goes with them.
        self.assertError(again.get("/api/imports/" + batch, token=token), 404, "not_found")
        self.assertError(again.get("/api/imports/%s/rejected.csv" % batch, token=token), 404, "not_found")


if __name__ == "__main__":
    unittest.main()
