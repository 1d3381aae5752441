"""The HTTP API of `sluice serve`, end to end: every route and error status of
the contract table, tenant isolation, and concurrent identical deliveries."""

import concurrent.futures
import http.client
import json
import os
import re
import select
import socket
import threading
import time
import urllib.parse
import uuid

import nextgen_export
from server import ServerTestCase, multipart, nextgen_payload, status_of

LEAD_KEYS = {
    "id", "tenantId", "assignedTo", "source", "vendorLeadId", "firstName", "lastName", "name", "email", "phone",
    "street1", "city", "state", "zipcode", "dob", "gender", "price", "purchases", "createdAt", "receivedAt",
    "updatedAt", "enrichedAt", "enrichment", "status", "disposition", "warnings", "fields",
}
IMPORT_KEYS = {"success", "batchId", "vendor", "vendors", "rows", "created", "updated", "unchanged", "skipped",
               "errorCount", "errors"}
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")

MARKETPLACE_COLUMNS = ["leadID", "created", "email", "primaryPhone", "firstName", "lastName", "city", "state",
                       "postalCode"]


def nextgen_csv(leads, pairs=0, seed=7):
    rows = nextgen_export.rows(leads=leads, pairs=pairs, seed=seed)
    lines = [",".join(nextgen_export.COLUMNS)] + [
        ",".join(nextgen_export.cell(r.get(c, "")) for c in nextgen_export.COLUMNS) for r in rows]
    return "\r\n".join(lines).encode(), rows


def marketplace_csv(n, first_phone=7000000):
    lines = [",".join(MARKETPLACE_COLUMNS)]
    for i in range(n):
        lines.append(",".join([
            "MP%06d" % i, "05-0%d-2025 10:00:00" % (1 + i % 9), "mp%d@example.com" % i, "555%07d" % (first_phone + i),
            "Mia", "Marsh%d" % i, "Reno", "NV", "89501"]))
    return ("\r\n".join(lines) + "\r\n").encode()


class ApiTests(ServerTestCase):
    """One server for the class; each test makes its own tenant where counts matter."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.t = s.tenant("Acme")
        cls.admin = s.user(cls.t, role="admin")
        cls.agent = s.user(cls.t, role="agent")
        cls.cred = s.nextgen_credential(cls.t)

    def new_tenant(self, name="T"):
        s = self.server
        t = s.tenant(name + uuid.uuid4().hex[:6])
        return t, s.user(t, role="admin"), s.user(t, role="agent"), s.nextgen_credential(t)

    # Health, metrics, unknown paths -------------------------------------------------

    def test_healthz(self):
        r = self.server.get("/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json(), {"status": "ok"})

    def test_unknown_path_is_404_json(self):
        self.assertError(self.server.get("/api/nothing-here"), 404, "not_found")
        self.assertError(self.server.request("POST", "/no/such/path", body={}), 404, "not_found")

    def test_json_answers_are_utf8_json(self):
        # The contract: all bodies are `application/json; charset=utf-8`.
        for r in (self.server.get("/healthz"), self.server.get("/api/nothing-here")):
            ctype = r.headers.get("content-type", "").replace(" ", "").lower()
            self.assertEqual(ctype, "application/json;charset=utf-8", r.headers)

    def test_metrics_count_requests_and_leak_no_tenant_or_email(self):
        s = self.server
        s.webhook(self.cred, nextgen_payload(900))
        s.request("POST", "/api/auth/login", body={"email": self.agent["email"], "password": "wrong password"})
        s.get("/api/leads", token=self.agent["token"])
        r = s.get("/metrics")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.headers["content-type"].startswith("text/plain"), r.headers)
        text = r.body.decode()
        self.assertIn("sluice_http_requests_total", text)
        self.assertRegex(text, r'sluice_http_requests_total\{[^}]*route="/api/webhooks/nextgen"[^}]*\} \d+')
        self.assertNotIn(self.t, text)
        self.assertNotIn(self.agent["email"], text)
        self.assertNotIn("lead900@example.com", text)
        self.assertNotIn(self.cred["sid"], text)

    # Sign-in -------------------------------------------------------------------------

    def test_login_200_gives_a_working_token(self):
        u = self.server.user(self.t, role="agent")
        r = self.server.request("POST", "/api/auth/login", body={"email": u["email"], "password": u["password"]})
        self.assertEqual(r.status, 200, r)
        j = r.json()
        self.assertEqual(set(j), {"token", "expiresAt", "user"})
        self.assertEqual(set(j["user"]), {"id", "email", "tenantId", "role"})
        self.assertEqual(j["user"], {"id": u["id"], "email": u["email"], "tenantId": self.t, "role": "agent"})
        self.assertRegex(j["expiresAt"], RFC3339)
        self.assertEqual(self.server.get("/api/leads", token=j["token"]).status, 200)

    def test_login_wrong_password_or_unknown_email_is_401(self):
        u = self.server.user(self.t)
        r = self.server.request("POST", "/api/auth/login", body={"email": u["email"], "password": "not the password"})
        j = self.assertError(r, 401, "unauthorized")
        self.assertNotIn("token", j)
        r = self.server.request("POST", "/api/auth/login",
                                body={"email": "nobody-%s@example.com" % uuid.uuid4().hex, "password": "whatever1"})
        self.assertError(r, 401, "unauthorized")

    def test_login_is_rate_limited_after_10_failures_for_one_account(self):
        s = self.server
        u = s.user(self.t)
        for i in range(10):
            r = s.request("POST", "/api/auth/login", body={"email": u["email"], "password": "bad guess %d" % i})
            self.assertError(r, 401, "unauthorized")
        # The 11th attempt is refused even with the right password.
        r = s.request("POST", "/api/auth/login", body={"email": u["email"], "password": u["password"]})
        self.assertError(r, 429, "rate_limited")
        self.assertIn("retry-after", r.headers)
        self.assertGreater(int(r.headers["retry-after"]), 0)
        # Another account of the same client is not locked out.
        other = s.user(self.t)
        r = s.request("POST", "/api/auth/login", body={"email": other["email"], "password": other["password"]})
        self.assertEqual(r.status, 200, r)

    def test_logout_204_then_the_token_is_refused(self):
        s = self.server
        u = s.user(self.t)
        token = s.request("POST", "/api/auth/login", body={"email": u["email"], "password": u["password"]}).json()["token"]
        self.assertEqual(s.get("/api/leads", token=token).status, 200)
        r = s.request("POST", "/api/auth/logout", token=token)
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.body, b"")
        self.assertError(s.get("/api/leads", token=token), 401, "unauthorized")
        self.assertError(s.request("POST", "/api/auth/logout", token=token), 401, "unauthorized")
        self.assertError(s.request("POST", "/api/auth/logout"), 401, "unauthorized")

    # NextGen webhook --------------------------------------------------------------------

    def test_webhook_201_new_then_200_redelivery(self):
        s = self.server
        p = nextgen_payload(1)
        r1 = s.webhook(self.cred, p)
        self.assertEqual(r1.status, 201, r1)
        j1 = r1.json()
        self.assertEqual(set(j1), {"success", "leadId", "isNew", "processMs"})
        self.assertIs(j1["success"], True)
        self.assertIs(j1["isNew"], True)
        self.assertIsInstance(j1["processMs"], (int, float))
        self.assertIn("x-process-time", r1.headers)
        float(r1.headers["x-process-time"])
        r2 = s.webhook(self.cred, p)
        self.assertEqual(r2.status, 200, r2)
        j2 = r2.json()
        self.assertEqual(set(j2), {"success", "leadId", "isNew", "processMs"})
        self.assertEqual(j2["leadId"], j1["leadId"])
        self.assertIs(j2["isNew"], False)
        self.assertIn("x-process-time", r2.headers)
        # Another purchase of the same person (same lead id, new purchase) is the same lead.
        r3 = s.webhook(self.cred, dict(p, purchase_id="P-other-1", product="ad", price="5"))
        self.assertEqual(r3.status, 200, r3)
        self.assertEqual(r3.json()["leadId"], j1["leadId"])
        lead = s.get("/api/leads/" + j1["leadId"], token=self.agent["token"]).json()
        self.assertEqual(lead["price"], 17.5)
        self.assertEqual(len(lead["purchases"]), 2)

    def test_webhook_401_missing_or_bad_credentials(self):
        s = self.server
        p = nextgen_payload(2)
        self.assertError(s.request("POST", "/api/webhooks/nextgen", body=p), 401, "unauthorized")
        self.assertError(s.request("POST", "/api/webhooks/nextgen", body=p, headers={"sid": self.cred["sid"]}),
                         401, "unauthorized")
        self.assertError(s.request("POST", "/api/webhooks/nextgen", body=p, headers={"apikey": self.cred["apikey"]}),
                         401, "unauthorized")
        self.assertError(s.webhook(dict(self.cred, apikey=self.cred["apikey"] + "x"), p), 401, "unauthorized")
        self.assertError(s.webhook(dict(self.cred, sid="sid_" + "0" * 32), p), 401, "unauthorized")
        # A bearer token is not a webhook credential.
        self.assertError(s.request("POST", "/api/webhooks/nextgen", body=p, token=self.admin["token"]),
                         401, "unauthorized")
        self.assertEqual(s.query("SELECT count(*) FROM lead_keys WHERE vendor_lead_id = ?", p["lead_id"])[0][0], 0)

    def test_webhook_400_for_not_one_object_or_no_identity(self):
        s = self.server
        for body in (b"[]", json.dumps([nextgen_payload(3)]).encode(), b'"text"', b"42", b"null", b"{", b""):
            r = s.webhook(self.cred, body, headers={"Content-Type": "application/json"})
            self.assertError(r, 400, "invalid_payload")
        r = s.webhook(self.cred, {"first_name": "Nobody", "city": "Boston", "price": "3"})
        j = self.assertError(r, 400, "invalid_payload")
        self.assertIn("errors", j)
        self.assertIsInstance(j["errors"], list)
        self.assertTrue(j["errors"])
        named = json.dumps(j["errors"])
        for field in ("phone", "email", "lead_id"):
            self.assertIn(field, named)

    def test_webhook_413_body_over_1_mib(self):
        s = self.server
        big = nextgen_payload(4, notes="x" * (1 << 20))
        r = s.webhook(self.cred, big)
        self.assertError(r, 413, "payload_too_large")
        self.assertServing()

    def test_webhook_413_by_content_length_without_sending_the_body(self):
        s = self.server
        head = ("POST /api/webhooks/nextgen HTTP/1.1\r\nHost: 127.0.0.1\r\nsid: %s\r\napikey: %s\r\n"
                "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                % (self.cred["sid"], self.cred["apikey"], 2 << 20)).encode()
        raw = s.raw(head + b'{"phone":"', timeout=5)
        self.assertEqual(status_of(raw), 413, raw[:500])
        self.assertIn(b'"code":"payload_too_large"', raw)
        self.assertServing()

    def test_webhook_415_non_json_content_type(self):
        s = self.server
        body = json.dumps(nextgen_payload(5)).encode()
        for ctype in ("text/plain", "application/x-www-form-urlencoded"):
            self.assertError(s.webhook(self.cred, body, headers={"Content-Type": ctype}), 415, "unsupported_media_type")

    # CSV upload ---------------------------------------------------------------------------

    def test_csv_upload_200_with_import_reply_kept_under_its_batch(self):
        s = self.server
        t, admin, agent, _ = self.new_tenant()
        data, rows = nextgen_csv(30, pairs=16)
        r = s.upload(agent["token"], "purchases.csv", data, client_ref="ref-1")
        self.assertEqual(r.status, 200, r)
        j = r.json()
        self.assertTrue(IMPORT_KEYS <= set(j), j)
        self.assertIs(j["success"], True)
        self.assertEqual(j["vendor"], "nextgen")
        self.assertEqual(j["vendors"], {"nextgen": 46})
        self.assertEqual((j["rows"], j["created"], j["updated"], j["skipped"]), (46, 30, 16, 0))
        self.assertEqual(j["rows"], j["created"] + j["updated"] + j["unchanged"] + j["skipped"])
        self.assertEqual((j["errorCount"], j["errors"]), (0, []))
        # Uploaded leads are assigned to the uploader.
        leads = s.get("/api/leads?limit=500", token=admin["token"]).json()["leads"]
        self.assertEqual(len(leads), 30)
        self.assertEqual({l["assignedTo"] for l in leads}, {agent["id"]})
        # GET /api/imports/{batchId} keeps the reply; another tenant gets 404.
        kept = s.get("/api/imports/" + j["batchId"], token=admin["token"])
        self.assertEqual(kept.status, 200, kept)
        self.assertEqual({k: v for k, v in kept.json().items() if k in IMPORT_KEYS},
                         {k: v for k, v in j.items() if k in IMPORT_KEYS})
        self.assertError(s.get("/api/imports/" + j["batchId"], token=self.agent["token"]), 404, "not_found")
        self.assertError(s.get("/api/imports/no-such-batch", token=admin["token"]), 404, "not_found")
        self.assertError(s.get("/api/imports/" + j["batchId"]), 401, "unauthorized")
        # The same file again changes nothing.
        r = s.upload(agent["token"], "purchases.csv", data)
        j2 = r.json()
        self.assertEqual((j2["rows"], j2["created"], j2["updated"], j2["unchanged"]), (46, 0, 0, 46))

    def test_csv_upload_mixed_vendors_with_a_skipped_row(self):
        s = self.server
        t, admin, agent, _ = self.new_tenant()
        # A marketplace file with one row that has neither phone nor email nor lead id.
        data = marketplace_csv(5) + b",05-01-2025 10:00:00,,,No,Body,Reno,NV,89501\r\n"
        r = s.upload(agent["token"], "lead-report-1746000000000.csv", data)
        self.assertEqual(r.status, 200, r)
        j = r.json()
        self.assertEqual(j["vendor"], "marketplace")
        self.assertEqual((j["rows"], j["created"], j["skipped"]), (6, 5, 1))
        self.assertEqual(j["rows"], j["created"] + j["updated"] + j["unchanged"] + j["skipped"])
        self.assertEqual(j["errorCount"], 1)
        self.assertEqual(len(j["errors"]), 1)
        self.assertEqual(set(j["errors"][0]), {"row", "line", "message"})
        self.assertEqual((j["errors"][0]["row"], j["errors"][0]["line"]), (6, 7))

    def test_csv_upload_400_no_file(self):
        s = self.server
        body, ctype = multipart(vendor="nextgen", clientRef="x")
        r = s.request("POST", "/api/csv-upload", body=body, headers={"Content-Type": ctype}, token=self.agent["token"])
        self.assertError(r, 400, "invalid_payload")

    def test_csv_upload_400_not_csv(self):
        s = self.server
        binary = bytes(range(256)) * 64 + b"\x00\x00\x89PNG\r\n\x1a\n" * 50
        r = s.upload(self.agent["token"], "picture.csv", binary, content_type="application/octet-stream")
        self.assertError(r, 400, "invalid_payload")

    def test_csv_upload_400_vendor_unknown(self):
        data, _ = nextgen_csv(3)
        r = self.server.upload(self.agent["token"], "a.csv", data, vendor="no-such-vendor")
        self.assertError(r, 400, "vendor_unknown")

    def test_csv_upload_400_vendor_not_detected(self):
        data = b"colour,shape,size\r\nred,round,3\r\nblue,square,4\r\n"
        r = self.server.upload(self.agent["token"], "things.csv", data)
        self.assertError(r, 400, "vendor_not_detected")

    def test_a_failed_upload_stays_in_the_inbox_so_retention_removes_it(self):
        s = self.server
        t = s.tenant("FailedUpload")
        agent = s.user(t)
        data = b"colour,shape,size\r\nred,round,3\r\n"
        self.assertError(s.upload(agent["token"], "things.csv", data), 400, "vendor_not_detected")
        rows = s.query("SELECT outcome, path, detail FROM inbox WHERE tenant_id = ? AND channel = 'upload'", t)
        self.assertEqual(len(rows), 1, rows)
        outcome, path, detail = rows[0]
        self.assertEqual(outcome, "failed")
        self.assertTrue(path and os.path.isfile(path if os.path.isabs(path) else os.path.join(s.dir, path)), path)
        self.assertIn("vendor", detail)

    def test_csv_upload_401(self):
        data, _ = nextgen_csv(3)
        self.assertError(self.server.upload(None, "a.csv", data), 401, "unauthorized")
        self.assertError(self.server.upload("slu_not-a-real-token", "a.csv", data), 401, "unauthorized")

    def test_csv_upload_413_by_content_length_without_sending_the_body(self):
        s = self.server
        boundary = "----b" + uuid.uuid4().hex
        length = 50 * 1024 * 1024 + 64 * 1024 + 1
        head = ("POST /api/csv-upload HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                "Content-Type: multipart/form-data; boundary=%s\r\nContent-Length: %d\r\n\r\n"
                % (self.agent["token"], boundary, length)).encode()
        start = b"--" + boundary.encode() + b'\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
        raw = s.raw(head + start + b"purchase_id,lead_id,vertical_id\r\n", timeout=5)
        self.assertEqual(status_of(raw), 413, raw[:500])
        body = raw.split(b"\r\n\r\n", 1)[1]
        self.assertIn(b'"code":"payload_too_large"', body)
        self.assertServing()

    def test_csv_upload_413_for_a_streamed_file_part_over_50_mib(self):
        # Its own server: a failure here must not take the class's server down.
        s = self.fresh_server()
        t = s.tenant("Big")
        agent = s.user(t)
        boundary = "----b" + uuid.uuid4().hex
        c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=120)
        c.connect()
        # A small send buffer, so `sent` tracks what the server has read (the kernel would
        # otherwise buffer megabytes on the client side and skew the count).
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 128 * 1024)
        c.putrequest("POST", "/api/csv-upload")
        c.putheader("Authorization", "Bearer " + agent["token"])
        c.putheader("Content-Type", "multipart/form-data; boundary=" + boundary)
        c.putheader("Transfer-Encoding", "chunked")
        c.endheaders()

        def send_chunk(data):
            c.send(b"%x\r\n%s\r\n" % (len(data), data))

        sent = 0
        answered = False
        pad = "x" * 4000
        header = ",".join(nextgen_export.COLUMNS).encode() + b"\r\n"
        try:
            send_chunk(b"--" + boundary.encode() +
                       b'\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
                       b"Content-Type: text/csv\r\n\r\n" + header)
            i = 0
            while sent < 60 * 1024 * 1024:
                lines = []
                for _ in range(64):
                    i += 1
                    r = {c2: "" for c2 in nextgen_export.COLUMNS}
                    r.update(purchase_id="BIG%08d" % i, product="data", lead_id="BIG-%08d" % i,
                             vertical_id="health_insurance", phone="555%07d" % (1000000 + i),
                             created_at="2025-05-01T10:00:00.000Z", price="1", medical_conditions=pad)
                    lines.append(",".join(r[c2] for c2 in nextgen_export.COLUMNS))
                chunk = ("\r\n".join(lines) + "\r\n").encode()
                send_chunk(chunk)
                sent += len(chunk)
                if select.select([c.sock], [], [], 0)[0]:
                    answered = True
                    break
        except (BrokenPipeError, ConnectionResetError):
            answered = True
        self.assertTrue(answered or sent >= 60 * 1024 * 1024)
        self.assertGreater(sent, 0)
        try:
            resp = c.getresponse()
            status, body = resp.status, resp.read()
        except (http.client.HTTPException, OSError) as e:
            status, body = None, repr(e).encode()
        finally:
            c.close()
        # Collect every problem, so one run reports the answer, the store and the shutdown.
        problems = []
        if status != 413:
            problems.append("status %r, body %r (sent %d bytes)" % (status, body[:300], sent))
        else:
            j = json.loads(body)
            if j.get("code") != "payload_too_large":
                problems.append("code %r" % j.get("code"))
            # What was stored before the limit is reported, and really stored.
            if not (isinstance(j.get("rowsStored"), int) and j["rowsStored"] > 0 and "batchId" in j):
                problems.append("no partial import reported: %r" % j)
            else:
                stored = s.query("SELECT count(*) FROM leads WHERE tenant_id = ?", t)[0][0]
                if stored != j["rowsStored"]:
                    problems.append("rowsStored %d but %d leads stored" % (j["rowsStored"], stored))
            if sent >= 52 * 1024 * 1024:
                problems.append("the server read %d bytes before answering" % sent)
        if not s.healthy():
            problems.append("the server no longer answers /healthz")
        exit_status = s.stop()
        if exit_status != 0:
            problems.append("exit status %r on SIGTERM, log %s: %s" % (
                exit_status, s.keep_log(), s.stderr()[:300]))
        self.assertEqual(problems, [], "\n".join(problems))

    def test_deprecated_import_csv_410_for_agents_200_for_admins(self):
        s = self.server
        t, admin, agent, _ = self.new_tenant()
        data, _ = nextgen_csv(4)
        r = s.upload(agent["token"], "a.csv", data, path="/api/leads/import-csv")
        self.assertEqual(r.status, 410, r)
        self.assertEqual(set(r.json()), {"error", "code", "use"})
        self.assertEqual(r.json()["code"], "gone")
        self.assertEqual(r.json()["use"], "/api/csv-upload")
        self.assertEqual(s.query("SELECT count(*) FROM leads WHERE tenant_id = ?", t)[0][0], 0)
        r = s.upload(admin["token"], "a.csv", data, path="/api/leads/import-csv")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(IMPORT_KEYS <= set(r.json()))
        self.assertEqual(r.json()["created"], 4)
        self.assertError(s.upload(None, "a.csv", data, path="/api/leads/import-csv"), 401, "unauthorized")

    # Lead list and lead -------------------------------------------------------------------

    def test_lead_list_pages_newest_first(self):
        s = self.server
        t, admin, agent, _ = self.new_tenant()
        data, rows = nextgen_csv(120)
        self.assertEqual(s.upload(admin["token"], "a.csv", data).json()["created"], 120)
        seen, pages, cursor = [], [], None
        while True:
            path = "/api/leads?limit=50" + ("&cursor=" + urllib.parse.quote(cursor) if cursor else "")
            r = s.get(path, token=agent["token"])
            self.assertEqual(r.status, 200, r)
            j = r.json()
            self.assertEqual(set(j), {"leads", "nextCursor", "latestSeq"})
            self.assertIsInstance(j["latestSeq"], int)
            pages.append(len(j["leads"]))
            seen.extend(j["leads"])
            cursor = j["nextCursor"]
            if cursor is None:
                break
            self.assertLess(len(pages), 5, "the cursor never ends")
        self.assertEqual(pages, [50, 50, 20])
        ids = [l["id"] for l in seen]
        self.assertEqual(len(set(ids)), 120)
        self.assertEqual({l["tenantId"] for l in seen}, {t})
        keys = [(l["createdAt"], l["id"]) for l in seen]
        self.assertEqual([k[0] for k in keys], sorted((k[0] for k in keys), reverse=True))
        self.assertEqual(seen[0]["vendorLeadId"], max(rows, key=lambda r: r["created_at"])["lead_id"])

    def test_lead_list_search_and_source_filter(self):
        s = self.server
        t, admin, agent, _ = self.new_tenant()
        data, rows = nextgen_csv(40)
        s.upload(admin["token"], "a.csv", data)
        s.upload(admin["token"], "lead-report-1746000000000.csv", marketplace_csv(7))

        def listing(**q):
            r = s.get("/api/leads?" + urllib.parse.urlencode(dict(limit=500, **q)), token=agent["token"])
            self.assertEqual(r.status, 200, r)
            return r.json()["leads"]

        self.assertEqual(len(listing()), 47)
        self.assertEqual({l["source"] for l in listing(source="nextgen")}, {"nextgen"})
        self.assertEqual(len(listing(source="nextgen")), 40)
        self.assertEqual(len(listing(source="marketplace")), 7)
        self.assertEqual(listing(source="leadhub"), [])
        # q: email, phone, name, literally (a % or _ is not a wildcard).
        hit = listing(q="person7@example.com")
        self.assertEqual([l["email"] for l in hit], ["person7@example.com"])
        hit = listing(q="+15552000007")
        self.assertEqual([l["phone"] for l in hit], ["+15552000007"])
        hit = listing(q="Van Dyke")
        self.assertEqual(len(hit), len([r for r in rows if r["last_name"] == "Van Dyke"]))
        self.assertTrue(all(l["lastName"] == "Van Dyke" for l in hit))
        self.assertEqual(listing(q="%"), [])
        self.assertEqual(listing(q="person_@example.com"), [])
        self.assertEqual(len(listing(q="Marsh", source="marketplace")), 7)
        self.assertEqual(listing(q="Marsh", source="nextgen"), [])

    def test_lead_list_400_and_401(self):
        s = self.server
        tok = self.agent["token"]
        for q in ("limit=0", "limit=abc", "limit=-1", "limit=100000", "cursor=not-a-cursor", "cursor=%ff"):
            self.assertError(s.get("/api/leads?" + q, token=tok), 400, "invalid_payload")
        self.assertError(s.get("/api/leads"), 401, "unauthorized")
        self.assertError(s.get("/api/leads", token="slu_bogus"), 401, "unauthorized")
        self.assertError(s.get("/api/leads", headers={"Authorization": "Basic Zm9vOmJhcg=="}), 401, "unauthorized")
        # Never a query token.
        self.assertError(s.get("/api/leads?token=" + tok), 401, "unauthorized")

    def test_lead_list_400_for_a_cursor_with_a_nul_byte(self):
        # A NUL in a query value must not cut it short (an empty cursor means "first page").
        r = self.server.get("/api/leads?cursor=%00garbage", token=self.agent["token"])
        self.assertError(r, 400, "invalid_payload")

    def test_lead_has_every_key(self):
        s = self.server
        r = s.webhook(self.cred, nextgen_payload(10))
        lead_id = r.json()["leadId"]
        r = s.get("/api/leads/" + lead_id, token=self.agent["token"])
        self.assertEqual(r.status, 200, r)
        lead = r.json()
        self.assertEqual(set(lead), LEAD_KEYS)
        self.assertEqual(lead["id"], lead_id)
        self.assertEqual(lead["tenantId"], self.t)
        self.assertIsNone(lead["assignedTo"])
        self.assertEqual(lead["source"], "nextgen")
        self.assertEqual(lead["phone"], "+15553000010")
        self.assertEqual(lead["createdAt"], "2025-05-01T12:00:10.000Z")
        for k in ("receivedAt", "updatedAt"):
            self.assertRegex(lead[k], RFC3339)
        self.assertEqual(set(lead["enrichment"]), {"status", "attempts", "lastError"})
        self.assertEqual(len(lead["purchases"]), 1)
        self.assertEqual(set(lead["purchases"][0]), {"purchaseId", "vendor", "product", "price", "purchasedAt"})
        self.assertEqual((lead["status"], lead["disposition"]), ("New", "New Lead"))
        self.assertError(s.get("/api/leads/ld_nope", token=self.agent["token"]), 404, "not_found")
        self.assertError(s.get("/api/leads/" + lead_id), 401, "unauthorized")

    def test_patch_lead_and_redelivery_keeps_the_agents_values(self):
        s = self.server
        p = nextgen_payload(20, disposition="Vendor says sold", status="complete")
        lead_id = s.webhook(self.cred, p).json()["leadId"]
        change = {"status": "Contacted", "disposition": "Call back", "assignedTo": self.agent["id"]}
        r = s.request("PATCH", "/api/leads/" + lead_id, body=change, token=self.agent["token"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(set(r.json()), LEAD_KEYS)
        self.assertEqual({k: r.json()[k] for k in change}, change)
        # The same purchase again, a changed one, and a second purchase: none undoes the agent's values.
        for payload in (p, dict(p, city="Springfield", status="returned", disposition="Bad"),
                        dict(p, purchase_id="P-ad-20", product="ad", price="5", disposition="Vendor again")):
            r = s.webhook(self.cred, payload)
            self.assertIn(r.status, (200,), r)
            self.assertEqual(r.json()["leadId"], lead_id)
        time.sleep(0.5)  # let enrichment run too
        lead = s.get("/api/leads/" + lead_id, token=self.admin["token"]).json()
        self.assertEqual({k: lead[k] for k in change}, change)
        self.assertEqual(len(lead["purchases"]), 2)
        # Partial change; assignedTo back to null.
        r = s.request("PATCH", "/api/leads/" + lead_id, body={"assignedTo": None}, token=self.admin["token"])
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.json()["assignedTo"])
        self.assertEqual(r.json()["status"], "Contacted")

    def test_patch_lead_400_and_404(self):
        s = self.server
        lead_id = s.webhook(self.cred, nextgen_payload(21)).json()["leadId"]
        tok = self.agent["token"]
        for body in ({"status": 5}, {"price": 1}, {"status": ""}, {"disposition": "x" * 1000}):
            self.assertError(s.request("PATCH", "/api/leads/" + lead_id, body=body, token=tok), 400, "invalid_payload")
        self.assertError(s.request("PATCH", "/api/leads/" + lead_id, body=b"[1]", token=tok,
                                   headers={"Content-Type": "application/json"}), 400, "invalid_payload")
        self.assertError(s.request("PATCH", "/api/leads/ld_nope", body={"status": "Contacted"}, token=tok),
                         404, "not_found")
        self.assertError(s.request("PATCH", "/api/leads/" + lead_id, body={"status": "Contacted"}), 401, "unauthorized")
        lead = s.get("/api/leads/" + lead_id, token=tok).json()
        self.assertEqual(lead["status"], "New")

    def test_vendors(self):
        s = self.server
        r = s.get("/api/vendors", token=self.agent["token"])
        self.assertEqual(r.status, 200, r)
        j = r.json()
        self.assertEqual(set(j), {"vendors"})
        by_key = {v["key"]: v for v in j["vendors"]}
        for v in j["vendors"]:
            self.assertEqual(set(v), {"key", "name", "channels", "webhookUrl"})
        self.assertEqual(by_key["nextgen"]["channels"], ["webhook", "csv"])
        self.assertEqual(by_key["nextgen"]["webhookUrl"], "/api/webhooks/nextgen")
        self.assertEqual(by_key["nextgen"]["name"], "NextGen Leads")
        self.assertEqual(by_key["marketplace"]["channels"], ["csv"])
        self.assertIsNone(by_key["marketplace"]["webhookUrl"])
        self.assertError(s.get("/api/vendors"), 401, "unauthorized")


class TenantIsolationTests(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.a, cls.b = s.tenant("A"), s.tenant("B")
        cls.ua, cls.ub = s.user(cls.a), s.user(cls.b)
        cls.ca, cls.cb = s.nextgen_credential(cls.a), s.nextgen_credential(cls.b)

    def test_a_tenants_leads_are_invisible_to_another(self):
        s = self.server
        ra = s.webhook(self.ca, nextgen_payload(1, first_name="Alicia"))
        self.assertEqual(ra.status, 201)
        a_lead = ra.json()["leadId"]
        self.assertEqual(s.get("/api/leads/" + a_lead, token=self.ua["token"]).json()["tenantId"], self.a)
        # B can't get, list, search or patch it.
        self.assertError(s.get("/api/leads/" + a_lead, token=self.ub["token"]), 404, "not_found")
        ids = [l["id"] for l in s.get("/api/leads?limit=500", token=self.ub["token"]).json()["leads"]]
        self.assertNotIn(a_lead, ids)
        self.assertEqual(s.get("/api/leads?q=Alicia", token=self.ub["token"]).json()["leads"], [])
        self.assertEqual(len(s.get("/api/leads?q=Alicia", token=self.ua["token"]).json()["leads"]), 1)
        r = s.request("PATCH", "/api/leads/" + a_lead, body={"status": "Stolen"}, token=self.ub["token"])
        self.assertError(r, 404, "not_found")
        self.assertEqual(s.get("/api/leads/" + a_lead, token=self.ua["token"]).json()["status"], "New")
        # The same person delivered to B is B's own, separate lead.
        rb = s.webhook(self.cb, nextgen_payload(1, first_name="Alicia"))
        self.assertEqual(rb.status, 201, rb)
        b_lead = rb.json()["leadId"]
        self.assertNotEqual(b_lead, a_lead)
        self.assertEqual(s.get("/api/leads/" + b_lead, token=self.ub["token"]).json()["tenantId"], self.b)
        self.assertError(s.get("/api/leads/" + b_lead, token=self.ua["token"]), 404, "not_found")
        self.assertEqual(s.query("SELECT count(*) FROM leads WHERE phone = '+15553000001'")[0][0], 2)

    def test_same_phone_in_both_tenants_is_two_leads(self):
        s = self.server
        p = nextgen_payload(2, lead_id="", purchase_id="", email="")
        ra, rb = s.webhook(self.ca, p), s.webhook(self.cb, p)
        self.assertEqual((ra.status, rb.status), (201, 201), (ra, rb))
        self.assertNotEqual(ra.json()["leadId"], rb.json()["leadId"])
        # Another purchase of that phone in A is A's lead again.
        ra2 = s.webhook(self.ca, dict(p, first_name="Other"))
        self.assertEqual(ra2.json()["leadId"], ra.json()["leadId"])

    def test_imports_are_per_tenant(self):
        s = self.server
        data, _ = nextgen_csv(3, seed=11)
        batch = s.upload(self.ua["token"], "a.csv", data).json()["batchId"]
        self.assertError(s.get("/api/imports/" + batch, token=self.ub["token"]), 404, "not_found")
        self.assertEqual(s.get("/api/imports/" + batch, token=self.ua["token"]).status, 200)


class ConcurrentDeliveryTests(ServerTestCase):
    def test_20_parallel_identical_webhooks_make_one_lead(self):
        s = self.server
        t = s.tenant("Par")
        cred = s.nextgen_credential(t)
        body = json.dumps(nextgen_payload(77)).encode()
        barrier = threading.Barrier(20)

        def post(_):
            c = s.connect()
            try:
                c.connect()
                barrier.wait(timeout=10)
                c.request("POST", "/api/webhooks/nextgen", body=body, headers={
                    "sid": cred["sid"], "apikey": cred["apikey"], "Content-Type": "application/json"})
                r = c.getresponse()
                return r.status, json.loads(r.read())
            finally:
                c.close()

        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            results = list(pool.map(post, range(20)))
        statuses = sorted(st for st, _ in results)
        self.assertEqual(statuses, [200] * 19 + [201], results)
        self.assertEqual(len({j["leadId"] for _, j in results}), 1)
        self.assertEqual(sorted(j["isNew"] for _, j in results), [False] * 19 + [True])
        self.assertEqual(s.query("SELECT count(*) FROM leads WHERE tenant_id = ?", t)[0][0], 1)
        self.assertEqual(s.query("SELECT count(*) FROM purchases WHERE tenant_id = ?", t)[0][0], 1)
