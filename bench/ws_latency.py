#!/usr/bin/env python3
"""Webhook → WebSocket latency benchmark: NextGen webhooks posted at a fixed rate to a real
`sluice serve`, timed until each tenant-A listener's `new_lead_notification` frame arrives.

Three runs, each on a fresh server and database in .build/bench/: 10 listeners at 200
webhooks/s, 10 listeners at 2,000/s, 1,000 listeners at 200/s (--seconds each). End to
end = from just before the POST is written to the recv that brought the frame, both on
CLOCK_MONOTONIC (system-wide, so the sender and listener processes can compare). The
timing client is bench/ws_client.c, built here with gcc: Python would add more
jitter than the 1 ms it has to measure. Also reported: lost events per listener, the
achieved rate, POST reply latency, the server's stored committed → broadcast times,
the `sluice_event_process_seconds` histogram when /metrics has one, a tenant-B socket that
must receive nothing, and the client's own overhead. Loopback only.

Exit status: 0 when every run ran (whether or not the targets hold, unless
--require-targets), 1 when something could not run, 2 on bad usage.

Usage: ws_latency.py [--seconds S] [--sluice PATH] [--runs 1,2,3]
"""

import argparse
import array
import http.client
import json
import math
import os
import platform
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CLIENT_SOURCE = os.path.join(HERE, "ws_client.c")

# listeners: tenant-A sockets; senders × connections: keep-alive HTTP connections posting.
# The server takes at most 1,024 connections (HTTPServer.Configuration.connectionLimit,
# no `serve` flag), so the 1,000-listener run keeps its senders to 8 connections.
RUNS = [
    {"key": "200/s x 10", "listeners": 10, "rate": 200, "senders": 2, "connections": 4},
    {"key": "2000/s x 10", "listeners": 10, "rate": 2000, "senders": 2, "connections": 16},
    {"key": "200/s x 1000", "listeners": 1000, "rate": 200, "senders": 2, "connections": 4},
]
SOCKETS_PER_LISTENER_PROCESS = 250
DRAIN_CAP_SECONDS = 300  # at most this long for the frames still queued when sending ends
WARM_BASE = 9_000_000  # lead numbers from here on are warm-up leads, not timed
TARGETS_MS = {"p50At200": 1.0, "p99At200": 10.0, "p99At2000": 25.0, "committedToWrittenP99At1000": 50.0}

# The NextGen webhook body; "@N@" is the lead's 7-digit number (unique lead id, phone, email).
TEMPLATE = json.dumps({
    "created_at": "2025-05-01T12:00:00.000Z", "purchase_id": "BP-@N@", "product": "data",
    "lead_id": "BENCH-@N@", "vendor_id": "bench", "vendor_name": "Bench Leads",
    "vertical_id": "health_insurance", "first_name": "Bench", "last_name": "Lead@N@",
    "phone": "555@N@", "email": "bench@N@@example.com", "street_1": "1 Main St", "city": "Boston",
    "state": "MA", "zipcode": "02134", "dob": "1970-01-02", "gender": "female", "price": "12.5",
    "status": "complete",
}, separators=(",", ":"))


class BenchError(Exception):
    """A step could not run; the message is one sentence for the user."""


# --- Processes ----------------------------------------------------------------------------

class Child:
    """A subprocess whose stdout lines are collected by a thread (so it never blocks)."""

    def __init__(self, argv, **kw):
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
        self.lines = []
        self.changed = threading.Condition()
        self.err = []
        self.eof = False
        threading.Thread(target=self._read, args=(self.proc.stdout, self.lines), daemon=True).start()
        threading.Thread(target=self._read, args=(self.proc.stderr, self.err), daemon=True).start()

    def _read(self, stream, into):
        for line in stream:
            with self.changed:
                into.append(line.rstrip("\n"))
                self.changed.notify_all()
        with self.changed:
            if into is self.lines:
                self.eof = True
            self.changed.notify_all()

    def wait_line(self, predicate, timeout):
        """The first stdout line matching predicate, or None at timeout / exit."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for line in self.lines:
                    if predicate(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or self.eof:
                    return None
                self.changed.wait(min(left, 0.2))

    def summary(self):
        for line in self.lines:
            if line.startswith("summary "):
                return json.loads(line[len("summary "):])
        return None

    def stop(self, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        time.sleep(0.05)  # let the reader threads take the last lines

    def stderr_tail(self):
        return self.err[-1] if self.err else "(no output)"


class Server:
    """`sluice serve --port 0` on a fresh database; accounts through the command line."""

    def __init__(self, sluice, directory, vendors):
        self.sluice, self.dir, self.vendors = sluice, directory, vendors
        self.db = os.path.join(directory, "sluice.db")
        self.child = None
        self.port = None

    def env(self):
        env = dict(os.environ)
        env.pop("SLUICE_DB", None)
        env.pop("SLUICE_VENDORS", None)
        return env

    def start(self):
        argv = [self.sluice, "serve", "--port", "0", "--host", "127.0.0.1", "--db", self.db]
        if self.vendors:
            argv += ["--vendors", self.vendors]
        self.child = Child(argv, cwd=self.dir, env=self.env())
        line = self.child.wait_line(lambda l: l.startswith("listening on http://127.0.0.1:"), 30)
        if line is None:
            self.child.stop()
            raise BenchError(f"`sluice serve` did not start: {self.child.stderr_tail()}")
        self.port = int(line.rsplit(":", 1)[1])

    @property
    def pid(self):
        return self.child.proc.pid

    def stop(self):
        if self.child:
            self.child.stop(timeout=20)

    def cli(self, *args):
        argv = [self.sluice, *args, "--db", self.db, "--json"]
        done = subprocess.run(argv, capture_output=True, text=True, cwd=self.dir, env=self.env(), timeout=60)
        if done.returncode != 0:
            raise BenchError(f"`sluice {' '.join(args[:2])}` failed (exit {done.returncode}): "
                             f"{last_line(done.stderr)}")
        return json.loads(done.stdout)

    def request(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def cpu_seconds(self):
        """User + system CPU of the server process so far."""
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def last_line(text):
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


def build_client(work):
    """Compiles bench/ws_client.c once per change of the source."""
    binary = os.path.join(work, "ws_client")
    if os.path.exists(binary) and os.path.getmtime(binary) >= os.path.getmtime(CLIENT_SOURCE):
        return binary
    if shutil.which("gcc") is None:
        raise BenchError("gcc is missing: install the Debian package gcc.")
    done = subprocess.run(["gcc", "-O2", "-Wall", "-o", binary, CLIENT_SOURCE], capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchError(f"bench/ws_client.c did not compile: {last_line(done.stderr)}")
    return binary


def raise_open_files(needed):
    """Raises the soft RLIMIT_NOFILE (inherited by the server and the clients)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max(soft, min(hard if hard != resource.RLIM_INFINITY else 65536, 65536))
    if want < needed:
        raise BenchError(f"the open-file limit is {hard}; this benchmark needs {needed} (raise `ulimit -Hn`).")
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return want


# --- Measurement --------------------------------------------------------------------------

def quantile(sorted_values, q):
    """Nearest-rank quantile of a sorted list (None when empty)."""
    if not sorted_values:
        return None
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


def ms(ns):
    return None if ns is None else round(ns / 1e6, 3)


def scrape_histogram(server, name):
    """{le: cumulative count, "sum", "count"} of a Prometheus histogram summed over labels, or None."""
    try:
        status, body = server.request("GET", "/metrics")
    except OSError:
        return None
    if status != 200:
        return None
    out = {"buckets": {}, "sum": 0.0, "count": 0}
    found = False
    for line in body.decode("utf-8", "replace").splitlines():
        if not line.startswith(name):
            continue
        m = re.match(r'^(\w+?)(_bucket|_sum|_count)(\{[^}]*\})?\s+(\S+)$', line)
        if not m or m.group(1) != name:
            continue
        found = True
        value = float(m.group(4))
        if m.group(2) == "_bucket":
            le = re.search(r'le="([^"]+)"', m.group(3) or "")
            if le:
                bound = math.inf if le.group(1) == "+Inf" else float(le.group(1))
                out["buckets"][bound] = out["buckets"].get(bound, 0) + value
        elif m.group(2) == "_sum":
            out["sum"] += value
        else:
            out["count"] += int(value)
    return out if found else None


def histogram_delta(before, after):
    """What a run added to a histogram: count, mean, and the bucket bounds holding p50/p99."""
    if after is None:
        return None
    before = before or {"buckets": {}, "sum": 0.0, "count": 0}
    count = after["count"] - before["count"]
    buckets = sorted((b, after["buckets"][b] - before["buckets"].get(b, 0)) for b in after["buckets"])

    def bound(q):
        for b, cumulative in buckets:
            if count and cumulative >= q * count:
                return None if b == math.inf else b
        return None

    def ms(b):
        return None if b is None else round(b * 1000, 3)

    # The histogram is in seconds (Prometheus' base unit); the report speaks milliseconds.
    return {"count": count, "meanMs": round((after["sum"] - before["sum"]) * 1000 / count, 3) if count else None,
            "p50AtMostMs": ms(bound(0.5)), "p99AtMostMs": ms(bound(0.99)),
            "buckets": [[("+Inf" if b == math.inf else b), c] for b, c in buckets]}


def stored_times(db, after_seq, tenant):
    """Server-side times of the run's new_lead_notification events, from the events table."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        columns = {row[1] for row in con.execute("PRAGMA table_info(events)")}
        has_broadcast = "broadcast_at" in columns
        rows = con.execute(
            f"SELECT received_at, committed_at, {'broadcast_at' if has_broadcast else 'NULL'} FROM events "
            "WHERE tenant_id = ? AND seq > ? AND type = 'new_lead_notification'", (tenant, after_seq)).fetchall()
    finally:
        con.close()
    received_to_committed = sorted(c - r for r, c, _ in rows if c is not None)
    committed_to_written = sorted(b - c for _, c, b in rows if c is not None and b is not None)
    out = {"events": len(rows),
           "receivedToCommittedMs": {"p50": quantile(received_to_committed, 0.5),
                                     "p99": quantile(received_to_committed, 0.99),
                                     "max": received_to_committed[-1] if received_to_committed else None}}
    if not has_broadcast:
        out["committedToWritten"] = "n/a (server has no broadcast_at)"
    elif not committed_to_written:
        out["committedToWritten"] = "n/a (broadcast_at is never set)"
    else:
        out["committedToWrittenMs"] = {"p50": quantile(committed_to_written, 0.5),
                                       "p99": quantile(committed_to_written, 0.99),
                                       "max": committed_to_written[-1]}
        out["neverBroadcast"] = len(rows) - len(committed_to_written)
    return out


def read_u64(path):
    a = array.array("Q")
    with open(path, "rb") as f:
        a.frombytes(f.read())
    return a


# --- One run ------------------------------------------------------------------------------

def setup_accounts(server):
    """Tenant A (admin logged in over HTTP, NextGen credential) and tenant B (an agent)."""
    a = server.cli("tenants", "add", "Bench A")["id"]
    b = server.cli("tenants", "add", "Bench B")["id"]
    password = "bench horse battery staple"
    server.cli("users", "add", "--tenant", a, "--email", "admin@bench.example", "--role", "admin",
               "--password", password)
    status, body = server.request("POST", "/api/auth/login",
                                  json.dumps({"email": "admin@bench.example", "password": password}),
                                  {"Content-Type": "application/json"})
    if status != 200:
        raise BenchError(f"POST /api/auth/login answered {status}: {body[:200]!r}")
    token_a = json.loads(body)["token"]
    token_b = server.cli("users", "add", "--tenant", b, "--email", "agent@b.bench.example", "--role", "agent",
                         "--password", password)["token"]
    cred_args = ["credentials", "add", "--tenant", a, "--vendor", "nextgen"]
    if server.vendors:
        cred_args += ["--vendors", server.vendors]
    cred = server.cli(*cred_args)
    return {"tenantA": a, "tenantB": b, "tokenA": token_a, "tokenB": token_b, "sid": cred["sid"],
            "apikey": cred["apikey"]}


def latest_seq(server, token):
    status, body = server.request("GET", "/api/leads?limit=1", headers={"Authorization": "Bearer " + token})
    if status != 200:
        raise BenchError(f"GET /api/leads answered {status}")
    return json.loads(body)["latestSeq"]


def run_one(number, spec, seconds, client, sluice, vendors, work):
    run_dir = tempfile.mkdtemp(prefix=f"ws-run{number}-", dir=work)
    server = Server(sluice, run_dir, vendors)
    server.start()
    children = []
    try:
        acct = setup_accounts(server)
        nleads = int(spec["rate"] * seconds)
        base = number * 1_000_000
        # Listeners: tenant A in processes of up to 250 sockets, one tenant-B socket apart.
        listeners = []
        for k in range(math.ceil(spec["listeners"] / SOCKETS_PER_LISTENER_PROCESS)):
            n = min(SOCKETS_PER_LISTENER_PROCESS, spec["listeners"] - k * SOCKETS_PER_LISTENER_PROCESS)
            out = os.path.join(run_dir, f"listen-{k}.bin")
            listeners.append((Child([client, "listen", str(server.port), "/ws?token=" + acct["tokenA"], str(n),
                                     str(base), str(nleads), str(WARM_BASE), out]), out))
        other = Child([client, "listen", str(server.port), "/ws?token=" + acct["tokenB"], "1", str(base),
                       str(nleads), str(WARM_BASE), os.path.join(run_dir, "listen-b.bin")])
        children += [c for c, _ in listeners] + [other]
        for c in [c for c, _ in listeners] + [other]:
            if c.wait_line(lambda l: l == "ready", 120) is None:
                raise BenchError(f"a listener could not connect: {c.stderr_tail()}")
        # Warm-up leads until every tenant-A socket has seen one: every socket is attached.
        warm, deadline = 0, time.monotonic() + 60
        while not all(c.wait_line(lambda l: l == "warm", 0) for c, _ in listeners):
            if time.monotonic() > deadline:
                raise BenchError("the listeners did not all receive the warm-up leads within 60 s.")
            status, body = server.request("POST", "/api/webhooks/nextgen",
                                          TEMPLATE.replace("@N@", "%07d" % (WARM_BASE + warm)),
                                          {"Content-Type": "application/json", "sid": acct["sid"],
                                           "apikey": acct["apikey"]})
            if status not in (200, 201):
                raise BenchError(f"a warm-up webhook answered {status}: {body[:200]!r}")
            warm += 1
            time.sleep(0.05)
        time.sleep(1.0)  # the warm-up leads' enrichment events go by
        seq_before = latest_seq(server, acct["tokenA"])
        metrics_before = scrape_histogram(server, "sluice_event_process_seconds")
        cpu_before = server.cpu_seconds()

        t0 = time.monotonic_ns() + 500_000_000
        senders = []
        for k in range(spec["senders"]):
            out = os.path.join(run_dir, f"send-{k}.bin")
            senders.append((Child([client, "send", str(server.port), acct["sid"], acct["apikey"], str(spec["rate"]),
                                   str(nleads), str(base), str(spec["senders"]), str(k),
                                   str(spec["connections"]), str(t0), TEMPLATE, out]), out))
        children += [c for c, _ in senders]
        for c, _ in senders:
            c.proc.wait(timeout=seconds + 60)
        cpu_during = server.cpu_seconds() - cpu_before
        # Listeners stop by themselves once every socket has every lead, or once no lead
        # has come for 5 s after this signal (what has not come by then is lost).
        for c, _ in listeners:
            if c.proc.poll() is None:
                c.proc.send_signal(signal.SIGUSR1)
        drain_deadline = time.monotonic() + DRAIN_CAP_SECONDS
        for c, _ in listeners:
            while c.proc.poll() is None and time.monotonic() < drain_deadline:
                time.sleep(0.05)
            c.stop()
        other.stop()
        metrics_after = scrape_histogram(server, "sluice_event_process_seconds")
        send_summaries = [c.summary() for c, _ in senders]
        listen_summaries = [c.summary() for c, _ in listeners]
        if None in send_summaries or None in listen_summaries:
            raise BenchError("a client process ended without its summary: " +
                             "; ".join(c.stderr_tail() for c in children if c.err))
        server.stop()
        server_stored = stored_times(server.db, seq_before, acct["tenantA"])
        return analyse(spec, seconds, nleads, senders, listeners, send_summaries, listen_summaries,
                       other.summary(), server_stored, histogram_delta(metrics_before, metrics_after), cpu_during)
    finally:
        for c in children:
            c.stop()
        server.stop()
        if os.environ.get("BENCH_KEEP"):
            print(f"    kept {run_dir} (BENCH_KEEP)", flush=True)
        else:
            shutil.rmtree(run_dir, ignore_errors=True)


def analyse(spec, seconds, nleads, senders, listeners, send_summaries, listen_summaries, other, stored, process_ms,
            server_cpu):
    t_write, t_reply, status = array.array("Q", bytes(8 * nleads)), array.array("Q", bytes(8 * nleads)), \
        array.array("Q", bytes(8 * nleads))
    for _, path in senders:
        data = read_u64(path)
        for i in range(nleads):
            if data[i]:
                t_write[i], t_reply[i], status[i] = data[i], data[nleads + i], data[2 * nleads + i]
    accepted = [i for i in range(nleads) if 200 <= status[i] <= 299]
    writes = sorted(t_write[i] for i in range(nleads) if t_write[i])
    achieved = (len(writes) - 1) * 1e9 / (writes[-1] - writes[0]) if len(writes) > 1 else None
    replies = sorted(t_reply[i] - t_write[i] for i in accepted)

    latencies, lost_per_listener, last_frame = [], [], 0
    accepted_writes = [(i, t_write[i]) for i in accepted]
    for _, path in listeners:
        data = read_u64(path)
        nsock = data[0]
        for s in range(nsock):
            off = 2 + s * nleads
            got = 0
            for i, w in accepted_writes:
                t = data[off + i]
                if t:
                    latencies.append(t - w)
                    got += 1
            lost_per_listener.append(len(accepted) - got)
        last_frame = max(last_frame, max(data[2:], default=0))
    latencies.sort()
    late = [s["late"] for s in send_summaries]
    stamp_lag = [s["stampLag"] for s in listen_summaries]
    return {
        "run": spec["key"], "listeners": spec["listeners"], "rate": spec["rate"], "seconds": seconds,
        "senderProcesses": spec["senders"], "connectionsPerSender": spec["connections"],
        "posted": len(writes), "accepted": len(accepted), "created201": sum(1 for i in accepted if status[i] == 201), "unsentOrFailed": nleads - len(accepted),
        "achievedRate": round(achieved, 1) if achieved else None,
        "e2eMs": {"p50": ms(quantile(latencies, 0.5)), "p99": ms(quantile(latencies, 0.99)),
                  "max": ms(latencies[-1] if latencies else None), "frames": len(latencies)},
        "postReplyMs": {"p50": ms(quantile(replies, 0.5)), "p99": ms(quantile(replies, 0.99)),
                        "max": ms(replies[-1] if replies else None)},
        "expectedPerListener": len(accepted),
        "lastFrameAfterLastPostMs": ms(last_frame - writes[-1]) if last_frame and writes else None,
        "lost": sum(lost_per_listener), "lostWorstListener": max(lost_per_listener) if lost_per_listener else None,
        "duplicates": sum(s["duplicates"] for s in listen_summaries),
        "otherFrames": sum(s["otherFrames"] for s in listen_summaries),
        "closes": sorted(code for s in listen_summaries for code in s["closes"]),
        "tenantBFrames": other["frames"] if other else None,
        "server": {**stored, "processMsHistogram": process_ms,
                   # processMs as the frames carry it (received → frame built), 1 µs buckets; the
                   # worst listener process's quantiles when there are several.
                   "frameProcessMs": {"p50": max(s["processMs"]["p50Us"] for s in listen_summaries) / 1000,
                                      "p99": max(s["processMs"]["p99Us"] for s in listen_summaries) / 1000,
                                      "max": max(s["processMs"]["maxUs"] for s in listen_summaries) / 1000}, "cpuSecondsDuringSend": round(server_cpu, 2)},
        "client": {
            "senderLateUs": {"p99": max(x["p99Us"] for x in late), "max": max(x["maxUs"] for x in late)},
            "listenerStampLagUs": {"p99": max(x["p99Us"] for x in stamp_lag), "max": max(x["maxUs"] for x in stamp_lag)},
            "cpuSeconds": round(sum(s["cpuUser"] + s["cpuSys"] for s in send_summaries + listen_summaries), 2),
            "reconnects": sum(s["reconnects"] for s in send_summaries),
            "leadsThatWaitedForAConnection": sum(s["waitedForConnection"] for s in send_summaries),
        },
    }


# --- Report -------------------------------------------------------------------------------

def fmt(value, spec="{:.2f}"):
    return "—" if value is None else spec.format(value)


def committed_to_written(r):
    s = r["server"]
    return fmt(s["committedToWrittenMs"]["p99"], "{:.0f}") if "committedToWrittenMs" in s else "n/a"


def table(results):
    lines = [f"{'run':14}{'rate':>7}{'achieved':>10}{'e2e p50':>9}{'e2e p99':>9}{'e2e max':>9}{'POST p50':>10}"
             f"{'POST p99':>10}{'lost':>9}{'recv→commit p99':>17}{'commit→written p99':>20}",
             f"{'':14}{'/s':>7}{'/s':>10}{'ms':>9}{'ms':>9}{'ms':>9}{'ms':>10}{'ms':>10}{'':>9}{'ms':>17}{'ms':>20}"]
    for r in results:
        if "error" in r:
            lines.append(f"{r['run']:14}  did not run: {r['error']}")
            continue
        lines.append(f"{r['run']:14}{r['rate']:>7,}{fmt(r['achievedRate'], '{:.1f}'):>10}{fmt(r['e2eMs']['p50']):>9}"
                     f"{fmt(r['e2eMs']['p99']):>9}{fmt(r['e2eMs']['max']):>9}{fmt(r['postReplyMs']['p50']):>10}"
                     f"{fmt(r['postReplyMs']['p99']):>10}{r['lost']:>9,}"
                     f"{fmt(r['server']['receivedToCommittedMs']['p99'], '{:.0f}'):>17}{committed_to_written(r):>20}")
    return "\n".join(lines)


def close_counts(codes):
    """'none' or e.g. '91 with 1013'."""
    if not codes:
        return "none"
    return ", ".join(f"{codes.count(code)} with {code}" for code in sorted(set(codes)))


def details(r):
    s, c = r["server"], r["client"]
    out = [f"  {r['run']}: {r['posted']:,} posted ({r['senderProcesses']} senders x {r['connectionsPerSender']} "
           f"connections), {r['accepted']:,} accepted ({r['created201']:,} new leads); {r['listeners']:,} listeners expected {r['expectedPerListener']:,} "
           f"each, lost {r['lost']} (worst listener {r['lostWorstListener']}), duplicates {r['duplicates']}, "
           f"other frames {r['otherFrames']:,}, last frame {fmt(r['lastFrameAfterLastPostMs'], '{:,.0f}')} ms after "
           f"the last POST, sockets closed by the server {close_counts(r['closes'])}, tenant B frames {r['tenantBFrames']}"]
    if "committedToWritten" in s:
        out.append(f"    server: committed → written {s['committedToWritten']}; received → committed p50/p99/max "
                   f"{s['receivedToCommittedMs']['p50']}/{s['receivedToCommittedMs']['p99']}/"
                   f"{s['receivedToCommittedMs']['max']} ms (stored, ms resolution)")
    else:
        w = s["committedToWrittenMs"]
        out.append(f"    server: committed → written p50/p99/max {w['p50']}/{w['p99']}/{w['max']} ms "
                   f"({s['neverBroadcast']} never broadcast); received → committed p99 "
                   f"{s['receivedToCommittedMs']['p99']} ms (stored, ms resolution)")
    f = s["frameProcessMs"]
    out.append(f"    processMs carried by the frames (server: received → frame built) p50/p99/max "
               f"{f['p50']:.3f}/{f['p99']:.3f}/{f['max']:.3f} ms")
    h = s["processMsHistogram"]
    out.append("    sluice_event_process_seconds: " + (
        f"{h['count']:,} events, mean {h['meanMs']} ms, p50 ≤ {h['p50AtMostMs']} ms, p99 ≤ {h['p99AtMostMs']} ms"
        if h else "not in /metrics"))
    out.append(f"    server CPU while sending {s['cpuSecondsDuringSend']} s of {r['seconds']} s wall; client CPU "
               f"{c['cpuSeconds']} s; sender late p99/max {c['senderLateUs']['p99']}/{c['senderLateUs']['max']:.0f} µs; "
               f"listener stamp lag p99/max {c['listenerStampLagUs']['p99']}/{c['listenerStampLagUs']['max']:.0f} µs; "
               f"{c['leadsThatWaitedForAConnection']:,} leads waited for a free connection (server busy)")
    return "\n".join(out)


def check_targets(results):
    by_key = {r["run"]: r for r in results if "error" not in r}
    checks = []

    def add(name, run, value, limit):
        # met: True / False, or None when the run did not run or the figure is not measurable.
        met = None if run not in by_key or value is None else value <= limit
        checks.append({"target": name, "value": value, "limit": limit, "met": met})

    r1, r2, r3 = (by_key.get(spec["key"]) for spec in RUNS)
    add("200/s, 10 listeners: e2e p50 <= 1 ms", RUNS[0]["key"], r1 and r1["e2eMs"]["p50"], TARGETS_MS["p50At200"])
    add("200/s, 10 listeners: e2e p99 <= 10 ms", RUNS[0]["key"], r1 and r1["e2eMs"]["p99"], TARGETS_MS["p99At200"])
    add("2,000/s, 10 listeners: e2e p99 <= 25 ms", RUNS[1]["key"], r2 and r2["e2eMs"]["p99"], TARGETS_MS["p99At2000"])
    w = r3 and r3["server"].get("committedToWrittenMs")
    add("1,000 listeners: committed → written p99 <= 50 ms", RUNS[2]["key"], w and w["p99"],
        TARGETS_MS["committedToWrittenP99At1000"])
    for r in results:
        if "error" not in r:
            checks.append({"target": f"{r['run']}: zero lost", "value": r["lost"], "limit": 0,
                           "met": r["lost"] == 0 and r["accepted"] == r["posted"] == r["created201"]
                           and r["tenantBFrames"] == 0 and not r["closes"]})
    return checks


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # BENCH_KEEP=1 keeps each run's directory (database, listener files) for inspection.
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_WS_SECONDS", 20)),
                        help="length of each run (BENCH_WS_SECONDS)")
    parser.add_argument("--sluice", default=os.path.join(REPO, ".build", "release", "sluice"))
    parser.add_argument("--vendors", default=os.path.join(REPO, "vendors.yaml"),
                        help="passed to `sluice serve --vendors` when the file exists")
    parser.add_argument("--runs", default="1,2,3", help="which runs, e.g. 1,3")
    parser.add_argument("--work", default=os.path.join(REPO, ".build", "bench"))
    parser.add_argument("--out", default=os.path.join(REPO, ".build", "bench", "ws_latency.json"))
    parser.add_argument("--require-targets", action="store_true", help="exit 1 when a target is not met")
    args = parser.parse_args()
    try:
        chosen = [int(x) for x in args.runs.split(",")]
        assert chosen and all(1 <= x <= len(RUNS) for x in chosen)
    except (ValueError, AssertionError):
        parser.error("--runs takes numbers from 1 to 3, e.g. 1,3")
    if args.seconds <= 0:
        parser.error("--seconds must be positive")
    sluice = os.path.abspath(args.sluice)
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    vendors = os.path.abspath(args.vendors) if os.path.isfile(args.vendors) else None

    results = []
    try:
        if not (os.path.isfile(sluice) and os.access(sluice, os.X_OK)):
            raise BenchError(f"there is no sluice binary at {sluice}; build it with `make build` first.")
        open_files = raise_open_files(2 * max(spec["listeners"] for spec in RUNS) + 200)
        client = build_client(work)
        baseline = json.loads(subprocess.run([client, "baseline", "2000", "1000"], capture_output=True, text=True,
                                             check=True).stdout.split("summary ", 1)[1])["oneWay"]
        load_before = os.getloadavg()[0]
        for number in chosen:
            spec = RUNS[number - 1]
            print(f"run {number}: {spec['listeners']:,} listeners at {spec['rate']:,} webhooks/s for "
                  f"{args.seconds:g} s …", file=sys.stderr)
            try:
                results.append(run_one(number, spec, args.seconds, client, sluice, vendors, work))
            except (BenchError, OSError, subprocess.SubprocessError) as error:
                results.append({"run": spec["key"], "error": str(error)})
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    targets = check_targets(results)
    report = {
        "machine": {"cpus": os.cpu_count(), "loadAverage1mBefore": round(load_before, 2),
                    "python": platform.python_version(), "openFileLimit": open_files},
        "clientBaseline": {"what": "one-way 1 KiB message between two processes on loopback TCP, "
                                   "stamped as the listener stamps frames", **baseline},
        "runs": results,
        "targets": targets,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")

    print(f"\nWebhook → WebSocket latency: NextGen webhooks at a fixed rate, {args.seconds:g} s per run, loopback, "
          f"{os.cpu_count()} CPUs; end to end = just before the POST is written → frame read by each listener")
    print(table(results))
    for r in results:
        if "error" not in r:
            print(details(r))
    print(f"client floor: one-way loopback message p50/p99/max {baseline['p50Us']}/{baseline['p99Us']}/"
          f"{baseline['maxUs']:.0f} µs (the least any figure above can be)")
    print("targets:")
    for t in targets:
        mark = "n/a" if t["met"] is None else ("met" if t["met"] else "NOT met")
        print(f"  {t['target']}: {fmt(t['value'], '{}')} → {mark}")
    if load_before > 0.5:
        print(f"note: the 1-minute load average was {load_before:.2f} before the runs; "
              "figures from a busy machine are slower than they should be.")
    print(f"results: {os.path.relpath(args.out, REPO) if args.out.startswith(REPO) else args.out}")
    failed = [r for r in results if "error" in r]
    for r in failed:
        print(f"error: {r['run']}: {r['error']}", file=sys.stderr)
    if failed:
        return 1
    if args.require_targets and not all(t["met"] is True for t in targets):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
