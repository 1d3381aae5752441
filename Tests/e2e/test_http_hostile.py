"""Hostile and malformed requests: each gets the contract's JSON error (or, for
framing errors libmicrohttpd rejects itself, its own 4xx or a closed connection),
and the server keeps serving normal requests afterwards."""

import json
import socket
import threading
import time
import uuid

import nextgen_export
from server import ServerTestCase, multipart, nextgen_payload, status_of


def framing_ok(raw):
    """A framing error may get the library's own 4xx or a closed connection, never a 2xx/5xx."""
    st = status_of(raw)
    return st is None or 400 <= st < 500


class HostileInputTests(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.t = s.tenant("Hostile")
        cls.user = s.user(cls.t, role="admin")
        cls.cred = s.nextgen_credential(cls.t)

    def tearDown(self):
        # After every hostile request a normal one still gets its normal answer.
        self.assertServing()
        r = self.server.get("/api/vendors", token=self.user["token"])
        self.assertEqual(r.status, 200, r)

    def post_upload(self, body, ctype):
        return self.server.request("POST", "/api/csv-upload", body=body, headers={"Content-Type": ctype},
                                   token=self.user["token"])

    def csv(self, n=3):
        rows = nextgen_export.rows(leads=n, pairs=0, seed=99)
        lines = [",".join(nextgen_export.COLUMNS)] + [
            ",".join(nextgen_export.cell(r.get(c, "")) for c in nextgen_export.COLUMNS) for r in rows]
        return "\r\n".join(lines).encode()

    # Multipart -------------------------------------------------------------------------

    def test_multipart_without_boundary(self):
        body, _ = multipart(file=("a.csv", self.csv(), "text/csv"))
        self.assertError(self.post_upload(body, "multipart/form-data"), 400, "invalid_payload")
        self.assertError(self.post_upload(body, "multipart/form-data; boundary="), 400, "invalid_payload")

    def test_multipart_without_closing_boundary(self):
        body, ctype = multipart(boundary="XyZ", file=("a.csv", self.csv(), "text/csv"))
        cut = body[: body.rindex(b"--XyZ--")]
        self.assertError(self.post_upload(cut, ctype), 400, "invalid_payload")

    def test_multipart_with_two_file_fields(self):
        boundary = "B" + uuid.uuid4().hex
        one, _ = multipart(boundary=boundary, file=("a.csv", self.csv(), "text/csv"))
        two, _ = multipart(boundary=boundary, other=("b.csv", self.csv(), "text/csv"))
        body = one[: one.rindex(b"--" + boundary.encode() + b"--")] + two
        self.assertError(self.post_upload(body, "multipart/form-data; boundary=" + boundary), 400, "invalid_payload")

    def test_binary_upload_is_not_csv(self):
        import zlib
        blob = zlib.compress(bytes(range(256)) * 400)
        body, ctype = multipart(file=("leads.csv", b"\x1f\x8b\x08\x00" + blob, "text/csv"))
        self.assertError(self.post_upload(body, ctype), 400, "invalid_payload")

    def test_invalid_utf8_in_a_csv(self):
        data = self.csv(3).replace(b"Ava", b"Av\xff\xfe", 1)
        body, ctype = multipart(file=("a.csv", data, "text/csv"))
        r = self.post_upload(body, ctype)
        # Either the whole file is refused as not CSV, or the row is imported/skipped and reported.
        if r.status == 400:
            self.assertError(r, 400, "invalid_payload")
        else:
            self.assertEqual(r.status, 200, r)
            j = r.json()
            self.assertEqual(j["rows"], 3)
            self.assertEqual(j["rows"], j["created"] + j["updated"] + j["unchanged"] + j["skipped"])
        # Whatever was stored is valid UTF-8 JSON.
        for lead in self.server.get("/api/leads?limit=500", token=self.user["token"]).json()["leads"]:
            json.dumps(lead, ensure_ascii=False).encode("utf-8")

    # JSON bodies -----------------------------------------------------------------------

    def test_invalid_utf8_in_a_webhook_body(self):
        body = json.dumps(nextgen_payload(1)).encode().replace(b"Ava1", b"Av\xc3\x28", 1)
        r = self.server.webhook(self.cred, body, headers={"Content-Type": "application/json"})
        self.assertError(r, 400, "invalid_payload")

    def test_json_nested_10000_deep(self):
        deep = b'{"a":' * 10000 + b"1" + b"}" * 10000
        r = self.server.webhook(self.cred, deep, headers={"Content-Type": "application/json"})
        self.assertError(r, 400, "invalid_payload")
        deep = b"[" * 10000 + b"]" * 10000
        r = self.server.webhook(self.cred, deep, headers={"Content-Type": "application/json"})
        self.assertError(r, 400, "invalid_payload")
        # PATCH takes 16 KiB: 8,000 deep fits.
        deep = b'{"status":' + b"[" * 8000 + b"]" * 8000 + b"}"
        r = self.server.request("PATCH", "/api/leads/ld_x", body=deep, token=self.user["token"],
                                headers={"Content-Type": "application/json"})
        self.assertError(r, 400, "invalid_payload")

    def test_chunked_webhook_body_over_1_mib(self):
        # No Content-Length: the limit must hold while streaming.
        s = self.server
        c = s.connect()
        try:
            c.putrequest("POST", "/api/webhooks/nextgen")
            c.putheader("sid", self.cred["sid"])
            c.putheader("apikey", self.cred["apikey"])
            c.putheader("Content-Type", "application/json")
            c.putheader("Transfer-Encoding", "chunked")
            c.endheaders()
            piece = b'{"phone":"5551234567","notes":"' + b"x" * 65536
            try:
                c.send(b"%x\r\n%s\r\n" % (len(piece), piece))
                for _ in range(20):
                    c.send(b"%x\r\n%s\r\n" % (65536, b"x" * 65536))
                c.send(b'2\r\n"}\r\n0\r\n\r\n')
            except (BrokenPipeError, ConnectionResetError):
                pass
            r = c.getresponse()
            status, body = r.status, r.read()
        finally:
            c.close()
        self.assertEqual(status, 413, body[:300])
        self.assertEqual(json.loads(body)["code"], "payload_too_large")

    # Framing ---------------------------------------------------------------------------

    def test_100_kb_request_line(self):
        raw = self.server.raw(b"GET /healthz?" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", timeout=5)
        self.assertTrue(framing_ok(raw), raw[:300])

    def test_10000_headers(self):
        headers = b"".join(b"X-H%d: v\r\n" % i for i in range(10000))
        raw = self.server.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n", timeout=5)
        self.assertTrue(framing_ok(raw), raw[:300])

    def test_bad_chunked_encoding(self):
        head = ("POST /api/webhooks/nextgen HTTP/1.1\r\nHost: x\r\nsid: %s\r\napikey: %s\r\n"
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                % (self.cred["sid"], self.cred["apikey"])).encode()
        for bad in (b"zz\r\n{}\r\n0\r\n\r\n", b"5\r\n{}\r\n0\r\n\r\n", b"ffffffffffffffffff\r\n{}"):
            raw = self.server.raw(head + bad, timeout=3, shutdown_write=True)
            self.assertTrue(framing_ok(raw), (bad, raw[:300]))

    def test_content_length_longer_than_the_body(self):
        # Says 1000, sends 10, then closes: no lead, no crash.
        head = ("POST /api/webhooks/nextgen HTTP/1.1\r\nHost: x\r\nsid: %s\r\napikey: %s\r\n"
                "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                % (self.cred["sid"], self.cred["apikey"])).encode()
        raw = self.server.raw(head + b'{"phone":"', timeout=3, shutdown_write=True)
        self.assertTrue(framing_ok(raw), raw[:300])

    def test_content_length_shorter_than_the_body(self):
        # Says 10, sends 1000: the first 10 bytes are the body (not valid JSON).
        body = json.dumps(nextgen_payload(2, notes="y" * 800)).encode()
        head = ("POST /api/webhooks/nextgen HTTP/1.1\r\nHost: x\r\nsid: %s\r\napikey: %s\r\n"
                "Content-Type: application/json\r\nContent-Length: 10\r\n\r\n"
                % (self.cred["sid"], self.cred["apikey"])).encode()
        raw = self.server.raw(head + body, timeout=3)
        self.assertEqual(status_of(raw), 400, raw[:300])
        first = raw.split(b"\r\n\r\n", 1)[1]
        self.assertTrue(first.startswith(b'{"error":'), raw[:300])
        self.assertIn(b'"code":"invalid_payload"', first[:300])
        self.assertEqual(self.server.query(
            "SELECT count(*) FROM lead_keys WHERE vendor_lead_id = 'L-00000002'")[0][0], 0)

    def test_200_slow_header_tricklers_do_not_starve_a_normal_request(self):
        s = self.server
        socks = []
        try:
            for _ in range(200):
                socks.append(socket.create_connection(("127.0.0.1", s.port), timeout=5))
            request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 1000
            stop = threading.Event()

            def trickle():
                i = 0
                while not stop.is_set() and i < len(request):
                    for so in socks:
                        try:
                            so.send(request[i:i + 1])
                        except OSError:
                            pass
                    i += 1
                    time.sleep(0.01)

            th = threading.Thread(target=trickle, daemon=True)
            th.start()
            time.sleep(0.5)
            times = []
            for _ in range(3):
                t0 = time.monotonic()
                r = s.get("/healthz", timeout=5)
                times.append(time.monotonic() - t0)
                self.assertEqual(r.status, 200)
                tok = s.get("/api/leads?limit=1", token=self.user["token"], timeout=5)
                self.assertEqual(tok.status, 200)
            stop.set()
            th.join(5)
            self.assertLess(max(times), 2.0, times)
        finally:
            for so in socks:
                so.close()
