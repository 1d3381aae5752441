"""The event stream under load and abuse, against the real host: a reconnect in the
middle of a 1,000-webhook burst, a reader that stops reading, and frames that break
RFC 6455. Also the broadcast timestamps and the processMs histogram."""

import concurrent.futures
import http.client
import json
import re
import socket
import struct
import threading
import time

from server import ServerTestCase, nextgen_payload
from wsclient import Closed, WebSocket


class Burst:
    """Posts `count` distinct NextGen webhooks from `clients` keep-alive connections."""

    def __init__(self, server, cred, first, count, clients=8):
        self.server, self.cred = server, cred
        self.numbers = iter(range(first, first + count))
        self.lock = threading.Lock()
        self.acked = {}  # leadId -> vendor lead id
        self.failures = []
        self.pool = concurrent.futures.ThreadPoolExecutor(clients)
        self.futures = [self.pool.submit(self._client) for _ in range(clients)]

    def _client(self):
        c = self.server.connect(timeout=30)
        try:
            while True:
                with self.lock:
                    n = next(self.numbers, None)
                if n is None:
                    return
                payload = nextgen_payload(n)
                c.request("POST", "/api/webhooks/nextgen", body=json.dumps(payload), headers={
                    "sid": self.cred["sid"], "apikey": self.cred["apikey"], "Content-Type": "application/json"})
                r = c.getresponse()
                body = r.read()
                with self.lock:
                    if r.status == 201:
                        self.acked[json.loads(body)["leadId"]] = payload["lead_id"]
                    else:
                        self.failures.append((r.status, body[:200]))
        finally:
            c.close()

    def join(self, timeout=120):
        for f in self.futures:
            f.result(timeout=timeout)
        self.pool.shutdown()
        return self


class StreamTests(ServerTestCase):
    def setUp(self):
        s = self.server
        self.tenant = s.tenant("Stream%d" % id(self))
        self.agent = s.user(self.tenant)
        self.cred = s.nextgen_credential(self.tenant)

    def connect(self, since=None, **kw):
        path = "/ws?token=" + self.agent["token"] + ("&since=%d" % since if since is not None else "")
        ws = WebSocket(self.server.port, path, **kw)
        self.assertEqual(ws.status, 101, getattr(ws, "body", b""))
        return ws

    def latest(self):
        return self.server.get("/api/leads", token=self.agent["token"]).json()["latestSeq"]

    def test_a_reconnect_during_a_1000_webhook_burst_sees_every_event_once_in_order(self):
        start = self.latest()
        burst = Burst(self.server, self.cred, first=200000, count=1000)
        seen = []  # (seq, type, lead id) over both connections
        ws = self.connect(since=start)
        # Drop the first socket without a close handshake partway through the burst.
        while len(seen) < 300:
            e = ws.recv()
            seen.append((e["seq"], e["type"], e["data"].get("id")))
        ws.sock.close()
        time.sleep(0.2)  # events keep coming while nobody listens
        ws = self.connect(since=seen[-1][0])
        burst.join()
        self.assertEqual(burst.failures, [])
        self.assertEqual(len(burst.acked), 1000)
        # Every lead: one new_lead_notification and one lead_enriched (enrichment is deferred).
        deadline = time.time() + 60
        ws.sock.settimeout(10)
        while len(seen) < 2000 and time.time() < deadline:
            e = ws.recv()
            seen.append((e["seq"], e["type"], e["data"].get("id")))
        ws.close()
        seqs = [s for s, _, _ in seen]
        self.assertEqual(seqs, list(range(start + 1, start + 1 + len(seqs))), "a gap, a duplicate or out of order")
        self.assertEqual(len(seen), 2000)
        created = [lead for _, t, lead in seen if t == "new_lead_notification"]
        self.assertEqual(sorted(created), sorted(burst.acked))
        enriched = [lead for _, t, lead in seen if t == "lead_enriched"]
        self.assertEqual(sorted(enriched), sorted(burst.acked))

    def test_a_stalled_reader_is_closed_with_1013_while_others_keep_receiving(self):
        # A socket that never reads: a small receive buffer so the server's queue fills.
        stalled = WebSocket(self.server.port, "/ws?token=" + self.agent["token"])
        self.assertEqual(stalled.status, 101)
        stalled.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        healthy = self.connect()
        received = []
        reader_done = threading.Event()

        def read_healthy():
            healthy.sock.settimeout(30)
            try:
                while True:
                    e = healthy.recv()
                    if e["type"] == "new_lead_notification":
                        received.append(e["data"]["id"])
            except (Closed, OSError):
                pass
            finally:
                reader_done.set()

        reader = threading.Thread(target=read_healthy, daemon=True)
        reader.start()
        # About 2 KiB per event and two events per lead: past the 4 MiB queue bound plus
        # what the kernel buffers on loopback.
        burst = Burst(self.server, self.cred, first=300000, count=4000).join()
        self.assertEqual(burst.failures, [])
        # The healthy socket got every lead, promptly, despite the stalled one.
        deadline = time.time() + 30
        while len(received) < len(burst.acked) and time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(sorted(received), sorted(burst.acked))
        # The stalled socket, read at last: what was written, then a close with 1013.
        stalled.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        stalled.sock.settimeout(10)
        code, frames = None, 0
        try:
            while True:
                stalled.recv()
                frames += 1
        except Closed as c:
            code = c.code
        stalled.sock.close()
        self.assertEqual(code, 1013, "after %d frames" % frames)
        self.assertLess(frames, 2 * len(burst.acked))
        healthy.close()
        reader.join(10)
        self.assertServing()

    def assertClosedWith(self, ws, code):
        ws.sock.settimeout(10)
        with self.assertRaises(Closed) as ctx:
            while True:
                ws.recv()
        ws.sock.close()
        self.assertEqual(ctx.exception.code, code)

    def test_an_unmasked_client_frame_is_closed_with_1002(self):
        ws = self.connect()
        ws.send_frame(1, b'{"hello":1}', mask=False)
        self.assertClosedWith(ws, 1002)

    def test_an_oversized_message_is_closed_with_1009(self):
        ws = self.connect()
        ws.send_frame(1, b"x" * (64 * 1024 + 1))
        self.assertClosedWith(ws, 1009)

    def test_invalid_utf8_text_is_closed_with_1007(self):
        ws = self.connect()
        ws.send_frame(1, b"caf\xc3\x28")
        self.assertClosedWith(ws, 1007)

    def test_a_broken_frame_leaves_other_sockets_and_the_server_alone(self):
        good = self.connect()
        bad = self.connect()
        bad.send_frame(1, b"x", mask=False)
        self.assertClosedWith(bad, 1002)
        r = self.server.webhook(self.cred, nextgen_payload(310000))
        self.assertEqual(r.status, 201)
        self.assertEqual(good.recv()["data"]["id"], r.json()["leadId"])
        good.close()
        self.assertServing()

    def test_live_events_are_stamped_when_broadcast_and_counted_in_metrics(self):
        ws = self.connect()
        r = self.server.webhook(self.cred, nextgen_payload(320000))
        self.assertEqual(r.status, 201)
        e = ws.recv()
        self.assertEqual(e["data"]["id"], r.json()["leadId"])
        self.assertGreaterEqual(e["data"]["processMs"], 0)
        self.assertLess(e["data"]["processMs"], 1000)
        ws.close()
        # Broadcast times reach the store within about a second.
        deadline = time.time() + 5
        row = None
        while time.time() < deadline:
            rows = self.server.query(
                "SELECT received_at, committed_at, broadcast_at FROM events WHERE tenant_id = ? AND seq = ?",
                self.tenant, e["seq"])
            row = rows[0] if rows else None
            if row and row[2] is not None:
                break
            time.sleep(0.1)
        self.assertIsNotNone(row)
        received, committed, broadcast = row
        self.assertIsNotNone(broadcast, "broadcast_at never written")
        self.assertLessEqual(received, committed)
        self.assertLessEqual(committed, broadcast)
        self.assertLess(broadcast - received, 1000)
        metrics = self.server.get("/metrics").body.decode()
        m = re.search(r"^sluice_event_process_seconds_count (\d+)$", metrics, re.M)
        self.assertIsNotNone(m, "no processMs histogram in /metrics")
        self.assertGreaterEqual(int(m.group(1)), 1)
        # No tenant ids or personal data in metric labels.
        self.assertNotIn(self.tenant, metrics)
