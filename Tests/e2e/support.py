"""Runs the real `sluice` binary for end-to-end tests."""

import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("SLUICE_BIN") or os.path.join(ROOT, ".build", "debug", "sluice")
VENDORS = os.path.join(ROOT, "vendors.yaml")


class SluiceTestCase(unittest.TestCase):
    """A fresh directory and database per test."""

    def setUp(self):
        if not os.path.exists(BIN):
            self.fail("the sluice binary is missing at %s (build it or set SLUICE_BIN)" % BIN)
        self.dir = tempfile.mkdtemp(prefix="sluice-e2e-")
        self.db = os.path.join(self.dir, "sluice.db")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def run_sluice(self, *args, check=True, env=None):
        e = dict(os.environ)
        e.pop("SLUICE_DB", None)
        e.pop("SLUICE_VENDORS", None)
        e.update(env or {})
        p = subprocess.run([BIN, *args], capture_output=True, text=True, env=e, cwd=self.dir, timeout=300)
        if check and p.returncode != 0:
            self.fail("sluice %s exited %d: %s" % (" ".join(args), p.returncode, p.stderr))
        return p

    def sluice_json(self, *args):
        p = self.run_sluice(*args, "--db", self.db, "--json")
        return json.loads(p.stdout)

    def tenant(self, name="Acme"):
        return self.sluice_json("tenants", "add", name)["id"]

    def import_file(self, path, tenant, *extra):
        return self.sluice_json("import", path, "--tenant", tenant, "--vendors", VENDORS, *extra)

    def query(self, sql, *params):
        con = sqlite3.connect(self.db, timeout=30)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()
