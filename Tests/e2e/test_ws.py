"""The event stream at /ws against the real host: auth, tenant isolation, replay."""

import socket
import struct
import threading
import time

from server import ServerTestCase, nextgen_payload
from wsclient import Closed, WebSocket


class EventStreamTests(ServerTestCase):
    def setUp(self):
        s = self.server
        self.a, self.b = s.tenant("WsA"), s.tenant("WsB")
        self.agent_a, self.agent_b = s.user(self.a), s.user(self.b)
        self.cred_a = s.nextgen_credential(self.a)

    def connect(self, token, since=None, headers=None):
        path = "/ws?token=" + token + ("&since=%d" % since if since is not None else "")
        return WebSocket(self.server.port, path, headers=headers)

    def latest(self, token):
        return self.server.get("/api/leads", token=token).json()["latestSeq"]

    def test_no_or_bad_token_is_401_before_the_upgrade(self):
        for path in ("/ws", "/ws?token=nope"):
            ws = WebSocket(self.server.port, path)
            self.assertEqual(ws.status, 401)
            ws.sock.close()

    def test_foreign_origin_is_refused_same_origin_and_no_origin_are_fine(self):
        ws = self.connect(self.agent_a["token"], headers={"Origin": "https://evil.example"})
        self.assertEqual(ws.status, 403)
        ws.sock.close()
        ws = self.connect(self.agent_a["token"], headers={"Origin": "http://127.0.0.1:%d" % self.server.port})
        self.assertEqual(ws.status, 101)
        ws.close()

    def test_a_new_lead_reaches_its_tenant_only(self):
        ws_a = self.connect(self.agent_a["token"])
        ws_b = self.connect(self.agent_b["token"])
        self.assertEqual((ws_a.status, ws_b.status), (101, 101))
        start = self.latest(self.agent_a["token"])
        r = self.server.webhook(self.cred_a, nextgen_payload(9500))
        self.assertEqual(r.status, 201)
        event = ws_a.recv()
        self.assertEqual(event["type"], "new_lead_notification")
        self.assertEqual(event["seq"], start + 1)
        self.assertEqual(event["data"]["id"], r.json()["leadId"])
        self.assertTrue(event["data"]["isNew"])
        self.assertIn("processMs", event["data"])
        self.assertEqual(event["data"]["tenantId"], self.a)
        enriched = ws_a.recv()
        self.assertEqual((enriched["type"], enriched["seq"]), ("lead_enriched", start + 2))
        # B's socket gets nothing of A's.
        ws_b.sock.settimeout(1.0)
        with self.assertRaises(socket.timeout):
            ws_b.recv()
        ws_a.close()
        ws_b.close()

    def test_since_replays_then_goes_live_without_gap_or_duplicate(self):
        token = self.agent_a["token"]
        before = self.latest(token)
        for n in range(5):
            self.assertEqual(self.server.webhook(self.cred_a, nextgen_payload(9600 + n)).status, 201)
        ws = self.connect(token, since=before)
        seen = []
        stop = threading.Event()

        def post_more():
            for n in range(5, 25):
                self.server.webhook(self.cred_a, nextgen_payload(9600 + n))
            stop.set()

        t = threading.Thread(target=post_more)
        t.start()
        deadline = time.time() + 20
        # 25 new leads and 25 enrichments.
        while len(seen) < 50 and time.time() < deadline:
            seen.append(ws.recv()["seq"])
        t.join()
        ws.close()
        self.assertEqual(seen, list(range(before + 1, before + 51)))

    def test_a_since_older_than_what_is_kept_closes_with_4410(self):
        token = self.agent_a["token"]
        self.assertEqual(self.server.webhook(self.cred_a, nextgen_payload(9700)).status, 201)
        time.sleep(0.5)
        # Drop every event but the newest, as the 24-hour retention would.
        import sqlite3
        con = sqlite3.connect(self.server.db, timeout=30)
        con.execute("DELETE FROM events WHERE tenant_id = ? AND seq < (SELECT max(seq) FROM events WHERE tenant_id = ?)",
                    (self.a, self.a))
        con.commit()
        con.close()
        ws = self.connect(token, since=0)
        self.assertEqual(ws.status, 101)
        with self.assertRaises(Closed) as ctx:
            ws.recv()
        ws.sock.close()
        self.assertEqual(ctx.exception.code, 4410)


class ImportEventTests(ServerTestCase):
    def test_an_upload_sends_progress_then_one_completed_event_not_one_per_row(self):
        import nextgen_export
        s = self.server
        t = s.tenant("WsImport")
        admin = s.user(t, role="admin")
        ws = WebSocket(s.port, "/ws?token=" + admin["token"])
        rows = nextgen_export.rows(leads=40, pairs=10)
        path = s.dir + "/up.csv"
        nextgen_export.write(path, rows)
        with open(path, "rb") as f:
            data = f.read()
        body, ctype = __import__("server").multipart(clientRef="ref-1", file=("up.csv", data, "text/csv"))
        r = s.request("POST", "/api/csv-upload", body=body, headers={"Content-Type": ctype}, token=admin["token"])
        self.assertEqual(r.status, 200, r)
        reply = r.json()
        events = []
        ws.sock.settimeout(5)
        while not events or events[-1]["type"] != "import_completed":
            events.append(ws.recv())
        ws.close()
        types = [e["type"] for e in events]
        self.assertNotIn("new_lead_notification", types)
        self.assertEqual(types[-1], "import_completed")
        progress = [e for e in events if e["type"] == "import_progress"]
        self.assertTrue(progress and progress[-1]["data"]["done"], progress)
        self.assertEqual(progress[-1]["data"]["clientRef"], "ref-1")
        done = events[-1]["data"]
        self.assertEqual(done["batchId"], reply["batchId"])
        self.assertEqual(done["created"], 40)
        self.assertEqual(len(done["leadIds"]), 40)
        self.assertEqual([e["seq"] for e in events], sorted(e["seq"] for e in events))

    def test_a_command_line_import_reaches_a_running_hosts_sockets_within_a_second(self):
        import nextgen_export
        s = self.server
        t = s.tenant("WsCli")
        agent = s.user(t)
        ws = WebSocket(s.port, "/ws?token=" + agent["token"])
        path = s.dir + "/cli.csv"
        nextgen_export.write(path, nextgen_export.rows(leads=3, pairs=0))
        out = s.cli("import", path, "--tenant", t, "--vendors", __import__("server").VENDORS)
        ws.sock.settimeout(1.5)
        started = time.time()
        event = ws.recv()
        ws.close()
        self.assertLess(time.time() - started, 1.5)
        self.assertEqual(event["type"], "import_completed")
        self.assertEqual(event["data"]["batchId"], out["batchId"])
        self.assertEqual(event["data"]["created"], 3)
