"""Standard Webhooks endpoints, the raw inbox and `sluice replay`, against the real host."""

import base64
import hashlib
import hmac
import json
import os
import time
import uuid

from server import VENDORS, ServerTestCase


def sign(secret, webhook_id, timestamp, body):
    key = base64.b64decode(secret[len("whsec_"):])
    mac = hmac.new(key, b"%s.%d.%s" % (webhook_id.encode(), timestamp, body), hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def leadhub_payload(n, **over):
    p = {
        "id": "LH-%05d" % n, "submitted_at": "2025-05-02T09:30:00Z", "price": "19.50", "product": "exclusive",
        "contact": {"first_name": "mia", "last_name": "chen", "email": "Mia%d@Example.com" % n,
                    "phones": ["(555) 401-%04d" % n]},
        "address": {"street": "1 Elm St", "city": "Salem", "state": "ma", "zip": "01970"},
        "consent": {"trustedform_url": "https://cert.example/abc%d" % n},
    }
    p.update(over)
    return p


class StandardWebhooksTests(ServerTestCase):
    def setUp(self):
        self.tenant = self.server.tenant("Hub")
        self.endpoint = self.server.cli("credentials", "add", "--tenant", self.tenant, "--vendor", "leadhub",
                                        "--vendors", VENDORS)
        self.path = "/api/webhooks/leadhub/" + self.endpoint["endpointId"]
        self.agent = self.server.user(self.tenant)

    def post(self, payload, webhook_id=None, timestamp=None, secret=None, signature=None, path=None):
        body = json.dumps(payload).encode()
        webhook_id = webhook_id or "msg_" + uuid.uuid4().hex
        timestamp = int(time.time()) if timestamp is None else timestamp
        sig = signature or sign(secret or self.endpoint["secret"], webhook_id, timestamp, body)
        return self.server.request("POST", path or self.path, body=body, headers={
            "Content-Type": "application/json", "webhook-id": webhook_id,
            "webhook-timestamp": str(timestamp), "webhook-signature": sig})

    def test_credentials_json_shape(self):
        self.assertEqual(set(self.endpoint), {"vendor", "id", "endpointId", "secret", "url"})
        self.assertTrue(self.endpoint["secret"].startswith("whsec_"))
        self.assertTrue(self.endpoint["url"].endswith(self.path))
        # The secret is sealed, never stored in clear; the server key file is private.
        stored = repr(self.server.query("SELECT * FROM credentials"))
        self.assertNotIn(self.endpoint["secret"], stored)
        key = os.path.join(os.path.dirname(self.server.db), "server.key")
        self.assertEqual(os.stat(key).st_mode & 0o777, 0o600)

    def test_signed_delivery_creates_a_lead_in_the_endpoints_tenant(self):
        r = self.post(leadhub_payload(1))
        self.assertEqual(r.status, 201, r)
        lead_id = r.json()["leadId"]
        lead = self.server.get("/api/leads/" + lead_id, token=self.agent["token"]).json()
        self.assertEqual(lead["tenantId"], self.tenant)
        self.assertEqual(lead["phone"], "+15554010001")
        self.assertEqual(lead["email"], "mia1@example.com")
        self.assertEqual(lead["source"], "leadhub")

    def test_a_lead_with_no_priced_purchase_has_price_0(self):
        payload = leadhub_payload(7)
        del payload["price"]
        r = self.post(payload)
        self.assertEqual(r.status, 201, r)
        lead = self.server.get("/api/leads/" + r.json()["leadId"], token=self.agent["token"]).json()
        self.assertEqual(lead["price"], 0)
        self.assertIsNone(lead["purchases"][0]["price"])

    def test_redelivery_with_the_same_webhook_id_is_idempotent(self):
        payload = leadhub_payload(2)
        first = self.post(payload, webhook_id="msg_fixed_2")
        again = self.post(payload, webhook_id="msg_fixed_2")
        self.assertEqual(first.status, 201)
        self.assertEqual(again.status, 200)
        self.assertEqual(first.json()["leadId"], again.json()["leadId"])
        self.assertFalse(again.json()["isNew"])

    def test_key_rotation_accepts_any_matching_signature(self):
        body = json.dumps(leadhub_payload(3)).encode()
        ts = int(time.time())
        good = sign(self.endpoint["secret"], "msg_rot", ts, body)
        other = sign("whsec_" + base64.b64encode(b"k" * 32).decode(), "msg_rot", ts, body)
        r = self.server.request("POST", self.path, body=body, headers={
            "Content-Type": "application/json", "webhook-id": "msg_rot", "webhook-timestamp": str(ts),
            "webhook-signature": other + " " + good})
        self.assertEqual(r.status, 201, r)

    def test_bad_signatures_and_stale_timestamps_are_refused(self):
        wrong = "whsec_" + base64.b64encode(b"x" * 32).decode()
        self.assertError(self.post(leadhub_payload(4), secret=wrong), 401, "unauthorized")
        self.assertError(self.post(leadhub_payload(4), timestamp=int(time.time()) - 600), 401, "unauthorized")
        self.assertError(self.post(leadhub_payload(4), timestamp=int(time.time()) + 600), 401, "unauthorized")
        self.assertError(self.post(leadhub_payload(4), signature="v1,AAAA"), 401, "unauthorized")
        r = self.server.request("POST", self.path, body=json.dumps(leadhub_payload(4)),
                                headers={"Content-Type": "application/json"})
        self.assertError(r, 401, "unauthorized")
        self.assertEqual(self.server.query("SELECT count(*) FROM leads WHERE tenant_id = ?", self.tenant)[0][0], 0)

    def test_unknown_vendor_or_endpoint_is_404(self):
        self.assertError(self.post(leadhub_payload(5), path="/api/webhooks/leadhub/ep_nope"), 404, "not_found")
        self.assertError(self.post(leadhub_payload(5), path="/api/webhooks/nosuch/" + self.endpoint["endpointId"]),
                         404, "vendor_unknown")

    def test_no_lead_can_be_formed_is_400_and_kept_in_the_inbox(self):
        r = self.post({"id": "", "contact": {"first_name": "x"}})
        j = self.assertError(r, 400, "invalid_payload")
        self.assertIn("errors", j)
        rows = self.server.query(
            "SELECT outcome, headers FROM inbox WHERE tenant_id = ? AND channel = 'webhook'", self.tenant)
        self.assertIn("rejected", [o for o, _ in rows])

    def test_the_inbox_keeps_bodies_without_secrets(self):
        payload = leadhub_payload(6)
        self.assertEqual(self.post(payload).status, 201)
        rows = self.server.query(
            "SELECT body, headers, outcome FROM inbox WHERE tenant_id = ? AND outcome = 'created'", self.tenant)
        self.assertEqual(len(rows), 1)
        body, headers, outcome = rows[0]
        self.assertEqual(json.loads(body), payload)
        names = [k.lower() for k, _ in json.loads(headers)]
        self.assertIn("webhook-id", names)
        self.assertNotIn("webhook-signature", names)


class ReplayTests(ServerTestCase):
    def test_replay_after_a_mapping_fix_updates_the_leads_and_is_idempotent(self):
        s = self.server
        tenant = s.tenant("Replay")
        endpoint = s.cli("credentials", "add", "--tenant", tenant, "--vendor", "leadhub", "--vendors", VENDORS)
        agent = s.user(tenant)
        since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
        ids = []
        for n in range(2):
            body = json.dumps(leadhub_payload(700 + n, utm={"source": "spring"})).encode()
            ts = int(time.time())
            wid = "msg_replay_%d" % n
            r = s.request("POST", "/api/webhooks/leadhub/" + endpoint["endpointId"], body=body, headers={
                "Content-Type": "application/json", "webhook-id": wid, "webhook-timestamp": str(ts),
                "webhook-signature": sign(endpoint["secret"], wid, ts, body)})
            self.assertEqual(r.status, 201, r)
            ids.append(r.json()["leadId"])
        # Once both are enriched (the worker runs shortly after), replaying with unchanged
        # adapters changes nothing.
        deadline = time.time() + 10
        while time.time() < deadline and not all(
                s.get("/api/leads/" + i, token=agent["token"]).json()["enrichedAt"] for i in ids):
            time.sleep(0.05)
        out = s.cli("replay", "--vendor", "leadhub", "--tenant", tenant, "--since", since, "--vendors", VENDORS)
        self.assertEqual((out["deliveries"], out["created"], out["updated"], out["failed"]), (2, 0, 0, 0))
        # The "mapping fix": the utm source gets a field of its own.
        with open(VENDORS) as f:
            fixed = f.read().replace("        consent.trustedform_url: trusted_form_url",
                                     "        consent.trustedform_url: trusted_form_url\n        utm.source: utm_source", 1)
        self.assertIn("utm.source", fixed)
        fixed_path = os.path.join(s.dir, "vendors-fixed.yaml")
        with open(fixed_path, "w") as f:
            f.write(fixed)
        out = s.cli("replay", "--vendor", "leadhub", "--tenant", tenant, "--since", since, "--vendors", fixed_path)
        self.assertEqual((out["deliveries"], out["created"], out["updated"], out["failed"]), (2, 0, 2, 0))
        for lead_id in ids:
            lead = s.get("/api/leads/" + lead_id, token=agent["token"]).json()
            self.assertEqual(lead["fields"].get("utm_source"), "spring", lead["fields"])
        again = s.cli("replay", "--vendor", "leadhub", "--tenant", tenant, "--since", since, "--vendors", fixed_path)
        self.assertEqual((again["created"], again["updated"], again["unchanged"]), (0, 0, 2))
        self.assertEqual(s.query("SELECT count(*) FROM leads WHERE tenant_id = ?", tenant)[0][0], 2)

    def test_cli_writes_take_effect_in_the_running_server(self):
        s = self.server
        tenant = s.tenant("Live")
        user = s.user(tenant, role="admin", email="live-admin@example.com")
        r = s.request("POST", "/api/auth/login", body={"email": "live-admin@example.com",
                                                       "password": "correct horse battery"})
        self.assertEqual(r.status, 200, r)
        cred = s.nextgen_credential(tenant)
        from server import nextgen_payload
        self.assertEqual(s.webhook(cred, nextgen_payload(9100)).status, 201)
        s.cli("credentials", "revoke", "--vendor", "nextgen", "--id", cred["id"])
        self.assertError(s.webhook(cred, nextgen_payload(9101)), 401, "unauthorized")
        self.assertTrue(user["token"])


class LatestSeqTests(ServerTestCase):
    def test_latest_seq_counts_this_tenants_events_only(self):
        from server import nextgen_payload
        s = self.server
        a, b = s.tenant("SeqA"), s.tenant("SeqB")
        agent_a, agent_b = s.user(a), s.user(b)
        self.assertEqual(s.get("/api/leads", token=agent_a["token"]).json()["latestSeq"], 0)
        self.assertEqual(s.webhook(s.nextgen_credential(a), nextgen_payload(9300)).status, 201)
        # new_lead_notification, then lead_enriched once the job has run.
        deadline = time.time() + 10
        seq = 0
        while time.time() < deadline:
            seq = s.get("/api/leads", token=agent_a["token"]).json()["latestSeq"]
            if seq >= 2:
                break
            time.sleep(0.1)
        self.assertEqual(seq, 2)
        self.assertEqual(s.get("/api/leads", token=agent_b["token"]).json()["latestSeq"], 0)
