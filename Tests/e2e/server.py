"""A running `sluice serve` for HTTP end-to-end tests: start it on a free loopback
port, make accounts through the CLI, talk to it with real HTTP clients, stop it.

Standard library only. Every process started here is stopped by `stop()`/`kill()`,
and `ServerTestCase` stops its servers even when a test fails."""

import http.client
import json
import os
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

from support import BIN, VENDORS


class Response:
    """One HTTP answer: status, headers (lower-case names), raw body, parsed JSON."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def __repr__(self):
        return "<%d %r>" % (self.status, self.body[:300])


class Server:
    """One `sluice serve --port 0` process on its own (or a given) database."""

    def __init__(self, db=None, directory=None, args=()):
        self.args = list(args)
        self.dir = directory or tempfile.mkdtemp(prefix="sluice-http-")
        self.owns_dir = directory is None
        self.db = db or os.path.join(self.dir, "sluice.db")
        self.proc = None
        self.port = None
        self.stderr_path = os.path.join(self.dir, "serve-%s.stderr" % uuid.uuid4().hex[:8])
        self._stdout_lines = []

    # Process control -------------------------------------------------------------

    def start(self, timeout=20):
        self._stderr = open(self.stderr_path, "wb")
        env = dict(os.environ)
        env.pop("SLUICE_DB", None)
        env.pop("SLUICE_VENDORS", None)
        self.proc = subprocess.Popen(
            [BIN, "serve", "--port", "0", "--db", self.db, "--vendors", VENDORS, *self.args],
            stdout=subprocess.PIPE, stderr=self._stderr, cwd=self.dir, env=env)
        deadline = time.monotonic() + timeout
        buf = b""
        fd = self.proc.stdout.fileno()
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                chunk = os.read(fd, 4096)
                if not chunk:
                    break
                buf += chunk
                for line in buf.decode("utf-8", "replace").splitlines():
                    if line.startswith("listening on http://127.0.0.1:"):
                        self.port = int(line.rsplit(":", 1)[1])
                        # Keep draining stdout so the server never blocks on a full pipe.
                        threading.Thread(target=self._drain, daemon=True).start()
                        return self
            elif self.proc.poll() is not None:
                break
        out = buf.decode("utf-8", "replace")
        self.kill()
        raise AssertionError("sluice serve did not print its address: stdout %r stderr %r" % (out, self.stderr()))

    def _drain(self):
        try:
            for line in self.proc.stdout:
                self._stdout_lines.append(line)
        except (ValueError, OSError):
            pass

    def stderr(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def keep_log(self):
        """Copies the server's stderr out of the temporary directory (for a failure report)."""
        kept = os.path.join(tempfile.gettempdir(), "sluice-serve-%s.log" % uuid.uuid4().hex[:8])
        try:
            shutil.copyfile(self.stderr_path, kept)
        except OSError:
            return None
        return kept

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=15):
        """SIGTERM, wait; returns the exit status (kills it when it does not stop)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self._close()
                return "timeout"
        self._close()
        return self.proc.returncode

    def kill(self):
        """kill -9 (a crash)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._close()

    def _close(self):
        for f in (getattr(self, "_stderr", None), self.proc and self.proc.stdout):
            try:
                if f:
                    f.close()
            except OSError:
                pass

    def cleanup(self):
        self.kill()
        if self.owns_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    # CLI accounts -----------------------------------------------------------------

    def cli(self, *args):
        env = dict(os.environ)
        env.pop("SLUICE_DB", None)
        env.pop("SLUICE_VENDORS", None)
        p = subprocess.run([BIN, *args, "--db", self.db, "--json"], capture_output=True, text=True,
                           cwd=self.dir, env=env, timeout=60)
        if p.returncode != 0:
            raise AssertionError("sluice %s exited %d: %s" % (" ".join(args), p.returncode, p.stderr))
        return json.loads(p.stdout)

    def tenant(self, name="Acme"):
        return self.cli("tenants", "add", name)["id"]

    def user(self, tenant, role="agent", email=None, password="correct horse battery"):
        """Returns {"id","token","email","password"}."""
        email = email or "%s-%s@example.com" % (role, uuid.uuid4().hex[:8])
        out = self.cli("users", "add", "--tenant", tenant, "--email", email, "--role", role, "--password", password)
        out.update(email=email, password=password)
        return out

    def nextgen_credential(self, tenant):
        """Returns {"vendor","id","sid","apikey"}."""
        return self.cli("credentials", "add", "--tenant", tenant, "--vendor", "nextgen", "--vendors", VENDORS)

    # HTTP ---------------------------------------------------------------------------

    def connect(self, timeout=30):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, token=None, timeout=30):
        """One request on a fresh connection. `body` may be bytes, str, or a dict/list (JSON)."""
        h = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode()
        if token:
            h["Authorization"] = "Bearer " + token
        c = self.connect(timeout)
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            return Response(r.status, r.getheaders(), r.read())
        finally:
            c.close()

    def get(self, path, token=None, **kw):
        return self.request("GET", path, token=token, **kw)

    def webhook(self, cred, payload, headers=None):
        h = {"sid": cred["sid"], "apikey": cred["apikey"]}
        h.update(headers or {})
        return self.request("POST", "/api/webhooks/nextgen", body=payload, headers=h)

    def upload(self, token, filename, data, vendor=None, client_ref=None, path="/api/csv-upload",
               content_type="text/csv"):
        # Fields before the file, as browsers send a form's fields in order.
        body, ctype = multipart(vendor=vendor, clientRef=client_ref, file=(filename, data, content_type))
        return self.request("POST", path, body=body, headers={"Content-Type": ctype}, token=token, timeout=120)

    def raw(self, data, timeout=10, shutdown_write=False):
        """Sends raw bytes on a fresh socket; returns what came back until close/timeout."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        try:
            try:
                s.sendall(data)
                if shutdown_write:
                    s.shutdown(socket.SHUT_WR)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return read_until_close(s, timeout)
        finally:
            s.close()

    def healthy(self):
        """True when a normal request gets its normal answer."""
        try:
            r = self.get("/healthz", timeout=10)
            return r.status == 200 and r.json() == {"status": "ok"}
        except (OSError, http.client.HTTPException):
            return False

    def query(self, sql, *params):
        con = sqlite3.connect(self.db, timeout=30)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()


def read_until_close(s, timeout):
    out = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            s.settimeout(max(0.05, deadline - time.monotonic()))
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except (ConnectionResetError, OSError):
            break
        if not chunk:
            break
        out += chunk
    return out


def status_of(raw):
    """The status code of a raw HTTP answer, or None when there was none."""
    if not raw.startswith(b"HTTP/1."):
        return None
    return int(raw.split(b" ", 2)[1])


def multipart(boundary=None, **fields):
    """A multipart/form-data body: values are bytes/str, or (filename, bytes, type) for files.
    None values are left out. Returns (body, content_type)."""
    boundary = boundary or "----sluice" + uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        if value is None:
            continue
        if isinstance(value, tuple):
            filename, data, ctype = value
            head = 'Content-Disposition: form-data; name="%s"; filename="%s"\r\nContent-Type: %s\r\n' % (
                name, filename, ctype)
        else:
            data = value
            head = 'Content-Disposition: form-data; name="%s"\r\n' % name
        if isinstance(data, str):
            data = data.encode()
        parts.append(b"--" + boundary.encode() + b"\r\n" + head.encode() + b"\r\n" + data + b"\r\n")
    body = b"".join(parts) + b"--" + boundary.encode() + b"--\r\n"
    return body, "multipart/form-data; boundary=" + boundary


def nextgen_payload(n, **over):
    """A NextGen webhook body for person `n` (distinct phone, email, lead id)."""
    p = {
        "created_at": "2025-05-01T12:%02d:%02d.000Z" % (n // 60 % 60, n % 60),
        "purchase_id": "P%08d" % n, "product": "data", "lead_id": "L-%08d" % n,
        "vendor_id": "acme-leads", "vendor_name": "Acme Leads", "vertical_id": "health_insurance",
        "first_name": "Ava%d" % n, "last_name": "Stone", "phone": "555%07d" % (3000000 + n),
        "email": "lead%d@example.com" % n, "street_1": "%d Main St" % n, "city": "Boston",
        "state": "MA", "zipcode": "02134", "dob": "1970-01-02", "gender": "female",
        "price": "12.5", "status": "complete", "disposition": "", "household_income": "55000",
    }
    p.update(over)
    return p


class ServerTestCase(unittest.TestCase):
    """Starts one server per class (`cls.server`); `fresh_server()` gives a test its own."""

    shared_server = True

    @classmethod
    def setUpClass(cls):
        if not os.path.exists(BIN):
            raise unittest.SkipTest("the sluice binary is missing at %s" % BIN)
        cls.server = Server().start() if cls.shared_server else None

    @classmethod
    def tearDownClass(cls):
        if cls.server is not None:
            try:
                status = cls.server.stop()
                if status != 0:
                    raise AssertionError("sluice serve exited %r on SIGTERM; log kept at %s; stderr starts: %s" % (
                        status, cls.server.keep_log(), cls.server.stderr()[:3000]))
            finally:
                cls.server.cleanup()

    def fresh_server(self, **kw):
        s = Server(**kw).start()
        self.addCleanup(s.cleanup)
        return s

    def assertError(self, r, status, code):
        """A JSON error answer: exact status, `code`, and a sentence in `error`."""
        self.assertEqual(r.status, status, r)
        self.assertTrue(r.headers.get("content-type", "").startswith("application/json"), r.headers)
        j = r.json()
        self.assertEqual(j.get("code"), code, j)
        self.assertIsInstance(j.get("error"), str, j)
        self.assertTrue(j["error"], j)
        return j

    def assertServing(self, server=None):
        s = server or self.server
        self.assertTrue(s.alive(), "the server process died; stderr: %s" % s.stderr()[-2000:])
        self.assertTrue(s.healthy(), "the server no longer answers /healthz")
