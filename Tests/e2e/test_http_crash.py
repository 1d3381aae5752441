"""kill -9 while webhooks arrive: every delivery that was answered 2xx survives
the crash with its full payload, and enrichment completes after a restart."""

import concurrent.futures
import http.client
import json
import threading
import time

from server import Server, ServerTestCase, nextgen_payload


class CrashTests(ServerTestCase):
    shared_server = False

    def test_kill_9_during_webhooks_loses_no_acknowledged_lead(self):
        first = self.fresh_server()
        t = first.tenant("Crash")
        user = first.user(t)
        cred = first.nextgen_credential(t)
        acked = {}  # leadId -> payload
        lock = threading.Lock()
        stop = threading.Event()
        counter = iter(range(10**9))

        def client(k):
            c = None
            while not stop.is_set():
                with lock:
                    n = next(counter)
                payload = nextgen_payload(n, household_income=str(10000 + n), city="City%d" % k)
                try:
                    if c is None:
                        c = first.connect(timeout=5)
                    c.request("POST", "/api/webhooks/nextgen", body=json.dumps(payload), headers={
                        "sid": cred["sid"], "apikey": cred["apikey"], "Content-Type": "application/json"})
                    r = c.getresponse()
                    body = r.read()
                except (OSError, http.client.HTTPException):
                    if c is not None:
                        c.close()
                    c = None
                    if not first.alive():
                        return
                    continue
                if 200 <= r.status < 300:
                    with lock:
                        acked[json.loads(body)["leadId"]] = payload
            if c is not None:
                c.close()

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(client, k) for k in range(8)]
            time.sleep(3)
            first.kill()
            stop.set()
            for f in futures:
                f.result(timeout=30)
        self.assertGreater(len(acked), 20, "too few deliveries before the kill to test anything")

        second = self.fresh_server(db=first.db, directory=first.dir)
        missing = []
        for lead_id, payload in acked.items():
            r = second.get("/api/leads/" + lead_id, token=user["token"])
            if r.status != 200:
                missing.append((lead_id, r.status))
                continue
            lead = r.json()
            self.assertEqual(lead["vendorLeadId"], payload["lead_id"])
            self.assertEqual(lead["email"], payload["email"])
        self.assertEqual(missing, [], "acknowledged leads lost in the crash")

        # The purchase record holds every posted value.
        rows = second.query(
            "SELECT p.lead_id, n.names, p.record FROM purchases p JOIN record_names n ON n.id = p.names_id "
            "WHERE p.tenant_id = ?", t)
        stored = {lead_id: dict(zip(json.loads(names), json.loads(record))) for lead_id, names, record in rows}
        for lead_id, payload in acked.items():
            self.assertIn(lead_id, stored)
            self.assertEqual(stored[lead_id], payload, lead_id)

        # Enrichment completes after the restart.
        deadline = time.monotonic() + 10
        pending = set(acked)
        while pending and time.monotonic() < deadline:
            for lead_id in list(pending):
                lead = second.get("/api/leads/" + lead_id, token=user["token"]).json()
                if lead["enrichedAt"] is not None:
                    self.assertEqual(lead["enrichment"]["status"], "done")
                    self.assertEqual(lead["city"], payload_city(acked[lead_id]))
                    pending.discard(lead_id)
            if pending:
                time.sleep(0.2)
        self.assertEqual(sorted(pending), [], "leads still not enriched 10 s after the restart")
        self.assertEqual(second.stop(), 0, second.stderr()[:1500])


def payload_city(p):
    return p["city"]
