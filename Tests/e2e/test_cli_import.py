"""`sluice import` and friends, end to end: the real binary on fresh SQLite files."""

import concurrent.futures
import json
import os
import sqlite3
import subprocess
import unittest

import nextgen_export
from support import BIN, VENDORS, SluiceTestCase


class NextGenExportTests(SluiceTestCase):
    def setUp(self):
        super().setUp()
        self.t = self.tenant()
        self.rows = nextgen_export.rows(leads=30, pairs=16)
        self.csv = self.path("purchases-2025-04-28-to-2025-05-04.csv")
        nextgen_export.write(self.csv, self.rows)

    def test_46_rows_with_16_pairs_make_30_leads_with_summed_prices(self):
        self.assertEqual(len(self.rows), 46)
        r = self.import_file(self.csv, self.t)
        self.assertEqual(r["vendor"], "nextgen")
        self.assertEqual(r["rows"], 46)
        self.assertEqual(r["created"], 30)
        self.assertEqual(r["updated"], 16)
        self.assertEqual(r["skipped"], 0)
        self.assertEqual(r["rows"], r["created"] + r["updated"] + r["unchanged"] + r["skipped"])
        self.assertEqual(self.query("SELECT count(*) FROM leads")[0][0], 30)
        # Every paired lead costs data + 5; the others just the data price.
        by_lead = {}
        for row in self.rows:
            by_lead.setdefault(row["lead_id"], []).append(float(row["price"]))
        for lead_id, prices in by_lead.items():
            (price,) = self.query(
                "SELECT l.price FROM leads l JOIN lead_keys k ON k.lead_id = l.id WHERE k.vendor_lead_id = ?", lead_id)[0]
            self.assertAlmostEqual(float(price), sum(prices), places=2, msg=lead_id)
        # ZIP codes keep their leading zero; phones are E.164; leads are enriched.
        self.assertIn(("02134",), self.query("SELECT DISTINCT zipcode FROM leads"))
        for (phone,) in self.query("SELECT phone FROM leads"):
            self.assertRegex(phone, r"^\+1\d{10}$")
        self.assertEqual(self.query("SELECT count(*) FROM leads WHERE enrichment_status = 'done' AND enriched_at IS NOT NULL")[0][0], 30)

    def test_reimport_changes_nothing(self):
        self.import_file(self.csv, self.t)
        before = self.query("SELECT id, updated_at, price, doc FROM leads ORDER BY id")
        r = self.import_file(self.csv, self.t)
        self.assertEqual((r["created"], r["updated"], r["unchanged"]), (0, 0, 46))
        self.assertEqual(self.query("SELECT id, updated_at, price, doc FROM leads ORDER BY id"), before)

    def test_one_changed_row_updates_exactly_one_lead(self):
        self.import_file(self.csv, self.t)
        changed = [dict(r) for r in self.rows]
        data_rows = [r for r in changed if r["product"] == "data"]
        data_rows[3]["city"] = "Springfield"
        nextgen_export.write(self.csv, changed)
        r = self.import_file(self.csv, self.t)
        self.assertEqual((r["created"], r["updated"], r["unchanged"]), (0, 1, 45))
        self.assertEqual(self.query("SELECT count(*) FROM leads WHERE city = 'Springfield'")[0][0], 1)

    def test_an_extra_unknown_column_is_kept(self):
        cols = list(nextgen_export.COLUMNS)
        cols.insert(cols.index("sub_id_hash"), "data_source_hash")
        rows = [dict(r, data_source_hash="dsh%d" % i) for i, r in enumerate(self.rows)]
        nextgen_export.write(self.csv, rows, columns=cols)
        r = self.import_file(self.csv, self.t)
        self.assertEqual(r["created"], 30)
        docs = [json.loads(d) for (d,) in self.query("SELECT doc FROM leads")]
        self.assertTrue(all("data_source_hash" in d["f"] for d in docs))

    def test_same_phone_in_two_tenants_is_two_leads(self):
        other = self.tenant("Other")
        self.import_file(self.csv, self.t)
        self.import_file(self.csv, other)
        self.assertEqual(self.query("SELECT tenant_id, count(*) FROM leads GROUP BY tenant_id ORDER BY 1"),
                         sorted([(self.t, 30), (other, 30)]))


class ConcurrencyTests(SluiceTestCase):
    def test_twenty_processes_importing_the_same_new_lead_make_one_lead(self):
        t = self.tenant()
        rows = nextgen_export.rows(leads=1, pairs=0)
        files = []
        for i in range(20):
            # Each process sees the same person under its own purchase.
            r = dict(rows[0], purchase_id="PURCHASE%02d" % i)
            f = self.path("one-%02d.csv" % i)
            nextgen_export.write(f, [r])
            files.append(f)
        # Create the schema first so every process races on the lead, not on migrations.
        self.query("SELECT 1")
        args = lambda f: [BIN, "import", f, "--tenant", t, "--db", self.db, "--vendors", VENDORS, "--json"]
        with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
            procs = list(pool.map(lambda f: subprocess.run(args(f), capture_output=True, text=True, timeout=120), files))
        for p in procs:
            self.assertEqual(p.returncode, 0, p.stderr)
        replies = [json.loads(p.stdout) for p in procs]
        self.assertEqual(sum(r["created"] for r in replies), 1)
        self.assertEqual(sum(r["updated"] for r in replies), 19)
        self.assertEqual(self.query("SELECT count(*) FROM leads")[0][0], 1)
        self.assertEqual(self.query("SELECT count(*) FROM purchases")[0][0], 20)

    def test_a_raw_twin_insert_is_refused_by_the_unique_indexes(self):
        t = self.tenant()
        f = self.path("one.csv")
        nextgen_export.write(f, nextgen_export.rows(leads=1, pairs=0))
        self.import_file(f, t)
        phone, email = self.query("SELECT phone, email FROM leads")[0]
        con = sqlite3.connect(self.db)
        for col, value in (("phone", phone), ("email", email)):
            with self.assertRaises(sqlite3.IntegrityError):
                con.execute(
                    "INSERT INTO leads (id, tenant_id, source, %s, created_at, received_at, updated_at, enrichment_status,"
                    " status, disposition, doc) VALUES ('ld_twin', ?, 'nextgen', ?, 0, 0, 0, 'done', 'New', 'New Lead', '{}')"
                    % col, (t, value))
        con.close()


class CommandLineTests(SluiceTestCase):
    def test_database_is_in_wal_mode(self):
        self.tenant()
        self.assertEqual(self.query("PRAGMA journal_mode")[0][0], "wal")

    def test_json_objects_of_account_commands(self):
        t = self.tenant()
        self.assertRegex(t, r"^tn_[0-9A-Z]{26}$")
        u = self.sluice_json("users", "add", "--tenant", t, "--email", "Agent@Example.com")
        self.assertEqual(set(u), {"id", "token", "password"})
        u2 = self.sluice_json("users", "add", "--tenant", t, "--email", "boss@example.com", "--role", "admin",
                              "--password", "correct horse battery")
        self.assertEqual(set(u2), {"id", "token"})
        c = self.sluice_json("credentials", "add", "--tenant", t, "--vendor", "nextgen", "--vendors", VENDORS)
        self.assertEqual(set(c), {"vendor", "id", "sid", "apikey"})
        # Secrets are stored hashed only.
        stored = repr(self.query("SELECT * FROM tokens")) + repr(self.query("SELECT * FROM credentials")) + \
            repr(self.query("SELECT * FROM users"))
        for secret in (u["token"], u["password"], u2["token"], "correct horse battery", c["apikey"]):
            self.assertNotIn(secret, stored)
        p = self.run_sluice("credentials", "revoke", "--vendor", "nextgen", "--id", c["id"], "--db", self.db)
        self.assertEqual(p.returncode, 0)
        p = self.run_sluice("credentials", "revoke", "--vendor", "nextgen", "--id", c["id"], "--db", self.db, check=False)
        self.assertEqual(p.returncode, 1)

    def test_usage_errors_exit_2_with_one_sentence(self):
        for args in (["import"], ["tenants", "add"], ["import", "x.csv", "--tenat", "t"], ["frobnicate"]):
            p = self.run_sluice(*args, "--db", self.db, check=False)
            self.assertEqual(p.returncode, 2, args)
            self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        p = self.run_sluice("import", "x.csv", "--tenat", "t", check=False)
        self.assertIn("did you mean --tenant", p.stderr)

    def test_postgres_urls_are_refused_for_now(self):
        p = self.run_sluice("tenants", "add", "A", "--db", "postgres://localhost/sluice", check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("PostgreSQL", p.stderr)

    def test_unknown_files_name_each_vendor_and_its_headers(self):
        t = self.tenant()
        f = self.path("generic.csv")
        with open(f, "w") as fh:
            fh.write("firstName,lastName,phone,email\nAnn,Lee,5552013344,a@example.com\n")
        p = self.run_sluice("import", f, "--tenant", t, "--db", self.db, "--vendors", VENDORS, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("nextgen expects", p.stderr)
        self.assertIn("marketplace expects", p.stderr)
        self.assertEqual(self.query("SELECT count(*) FROM leads")[0][0], 0)

    def test_unknown_vendor_and_tenant(self):
        t = self.tenant()
        f = self.path("x.csv")
        nextgen_export.write(f, nextgen_export.rows(leads=1, pairs=0))
        p = self.run_sluice("import", f, "--tenant", t, "--vendor", "nextgne", "--db", self.db, "--vendors", VENDORS,
                            check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("did you mean 'nextgen'", p.stderr)
        p = self.run_sluice("import", f, "--tenant", "tn_nope", "--db", self.db, "--vendors", VENDORS, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no tenant", p.stderr)

    def test_rejected_rows_go_to_the_errors_file_and_the_rest_imports(self):
        t = self.tenant()
        rows = nextgen_export.rows(leads=3, pairs=0)
        rows[1]["phone"] = ""
        rows[1]["email"] = ""
        rows[1]["lead_id"] = ""
        rows[1]["first_name"] = "=HYPERLINK(1)"
        f = self.path("x.csv")
        nextgen_export.write(f, rows)
        with open(f, "ab") as fh:
            fh.write(b"\r\nonly,three,fields")
        errors = self.path("rejected.csv")
        r = self.import_file(f, t, "--errors", errors)
        self.assertEqual((r["rows"], r["created"], r["skipped"], r["errorCount"]), (4, 2, 2, 2))
        self.assertEqual([e["row"] for e in r["errors"]], [2, 4])
        self.assertEqual(r["errors"][1]["line"], 5)
        self.assertIsNone(r["rejectedRowsUrl"], "the CLI's rejected rows are in --errors FILE, not on a server")
        with open(errors) as fh:
            text = fh.read()
        self.assertTrue(text.startswith("row,line,reason"))
        self.assertIn("'=HYPERLINK(1)", text)

    def test_vendors_check_points_at_the_line(self):
        bad = self.path("vendors.yaml")
        with open(VENDORS) as fh:
            text = fh.read()
        with open(bad, "w") as fh:
            fh.write(text.replace("adapter: csv-mapping", "adapter: csv-maping", 1))
        p = self.run_sluice("vendors", "check", bad, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, r"vendors\.yaml:\d+:\d+: error: unknown adapter 'csv-maping' \(did you mean 'csv-mapping'\?\)")
        p = self.run_sluice("vendors", "check", VENDORS)
        self.assertIn("nextgen", p.stdout)


if __name__ == "__main__":
    unittest.main()
