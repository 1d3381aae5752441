#!/usr/bin/env python3
"""Where a webhook's latency goes: the server's stages, from a system-call trace.

Runs the first latency run of `bench/ws_latency.py` (10 listeners, 200 webhooks/s) and,
while the webhooks are being sent, records the `sluice serve` process's system calls
with `perf record -e raw_syscalls:*` (kernel tracepoints: a microsecond or two per
call, no code in the server). Each webhook is then followed through the named threads
by the calls that mark its stages:

  request read       libmicrohttpd's thread (`MHD-worker`) reads the POST (recvfrom)
  handed over        that thread wakes a thread of Swift's cooperative pool (futex wake)
  writer woken       a pool thread wakes the writer (futex wake): the handler, JSON, the
                     minimal transform and the prepared rows are behind it
  writer runs        the writer's futex wait returns
  first lock         the writer's first fcntl lock (BEGIN IMMEDIATE)
  log write          the commit's one pwrite to the log: the rows are behind it
  durable            its fdatasync returns
  WebSocket woken    the writer writes the WebSocket thread's eventfd (events fanned out)
  WebSocket runs     that thread's epoll_wait returns
  first frame sent   its first sendto
  reply              libmicrohttpd's thread sends the 201 (sendmsg)

and the p50/p90 of each step is printed. The timing is the server's alone; the
client's part of the end-to-end figure (its wake-ups, the other listeners' frames)
is what `ws_latency.py` adds on top. Webhooks whose calls do not line up (a commit
shared by two, a request read in two parts) are left out, and the table says how many
were kept.

Needs perf (Debian's linux-perf, `make bench-stages` installs it), root or
`perf_event_paranoid` ≤ 1, and x86_64 (the system-call numbers). Loopback only.

Usage: ws_stages.py [--sluice PATH] [--seconds S] [--trace-seconds T]
"""

import argparse
import bisect
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# x86_64 system-call numbers.
READ_FROM, SEND_TO, SEND_MSG, WRITE, PWRITE, FCNTL, FUTEX, FDATASYNC, EPOLL_WAIT = 45, 44, 46, 1, 18, 72, 202, 75, 232

LINE = re.compile(r"\s*(\S+)\s+(\d+)\s+([\d.]+):\s+raw_syscalls:sys_(enter|exit): NR (\d+)(.*)")


def fail(message):
    print(f"ws_stages: {message}", file=sys.stderr)
    sys.exit(1)


def newest_pid(pattern):
    done = subprocess.run(["pgrep", "-n", "-f", pattern], capture_output=True, text=True)
    return int(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip() else None


def read_trace(path):
    """The trace as (time µs, thread name, kind, number, return value or None, rest), sorted."""
    script = subprocess.run(["perf", "script", "-i", path, "-F", "comm,tid,time,event,trace"],
                            capture_output=True, text=True)
    if script.returncode != 0:
        fail(f"perf script failed: {script.stderr.strip()[-300:]}")
    calls = []
    for line in script.stdout.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        comm, _, t, kind, nr, rest = m.groups()
        ret = int(rest.split("=")[1]) if kind == "exit" else None
        calls.append((float(t) * 1e6, comm, kind, int(nr), ret, rest))
    calls.sort()
    return calls


def stages(calls):
    """One row of step durations (µs) per webhook whose calls line up."""
    def times(thread, kind, nr, test=lambda c: True):
        return [c[0] for c in calls if c[1] == thread and c[2] == kind and c[3] == nr and test(c)]

    reads = times("MHD-worker", "exit", READ_FROM, lambda c: c[4] > 0)
    wake = lambda c: "81, 1" in c[5]  # FUTEX_WAKE_PRIVATE, one waiter
    handed = times("MHD-worker", "enter", FUTEX, wake)
    # Pool threads are named after their queue ("…root.default-qos", cut to 15 bytes).
    pool_wakes = [c[0] for c in calls if "qos" in c[1] and c[2] == "enter" and c[3] == FUTEX and wake(c)]
    writer_up = times("sluice-writer", "exit", FUTEX)
    locks = times("sluice-writer", "enter", FCNTL)
    log_writes = times("sluice-writer", "enter", PWRITE)
    synced = times("sluice-writer", "exit", FDATASYNC)
    rings = times("sluice-writer", "enter", WRITE)
    ws_up = times("sluice-ws", "exit", EPOLL_WAIT)
    ws_sends = times("sluice-ws", "enter", SEND_TO)
    replies = times("MHD-worker", "enter", SEND_MSG)

    def after(series, t):
        i = bisect.bisect_left(series, t)
        return series[i] if i < len(series) else None

    rows = []
    for k, t in enumerate(reads):
        next_read = reads[k + 1] if k + 1 < len(reads) else float("inf")
        marks = [t]
        for series in (handed, pool_wakes, writer_up, locks, log_writes, synced, rings, ws_up, ws_sends):
            m = after(series, marks[-1])
            if m is None:
                break
            marks.append(m)
        else:
            reply = after(replies, marks[6])
            # A log write after the next request means two requests shared a commit.
            if reply is None or marks[5] > next_read:
                continue
            rows.append([b - a for a, b in zip(marks, marks[1:])] + [reply - marks[6], marks[-1] - t, reply - t])
    return rows


NAMES = ["request read → handed over", "→ writer woken (handler done)", "→ writer runs", "→ first lock (BEGIN)", "→ log write (rows done)",
         "→ durable (fdatasync)", "→ WebSocket woken", "→ WebSocket runs", "→ first frame sent",
         "durable → 201 sent", "request read → first frame", "request read → 201 sent"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sluice", default=os.path.join(REPO, ".build/release/sluice"))
    parser.add_argument("--seconds", type=float, default=12, help="length of the latency run")
    parser.add_argument("--trace-seconds", type=float, default=4, help="how long to record, from 2 s into sending")
    args = parser.parse_args()
    if platform.machine() != "x86_64":
        fail(f"the system-call numbers here are x86_64's; this machine is {platform.machine()}.")
    if not shutil.which("perf"):
        fail("perf is not installed (Debian's linux-perf; `make bench-stages` installs it).")
    if not os.access(args.sluice, os.X_OK):
        fail(f"{args.sluice} is not an executable; build it with `make build`.")
    if args.trace_seconds + 3 > args.seconds:
        fail("--seconds must be at least 3 more than --trace-seconds.")

    work = tempfile.mkdtemp(prefix="ws-stages-", dir=os.path.join(REPO, ".build"))
    trace = os.path.join(work, "syscalls.perf")
    bench = subprocess.Popen([sys.executable, os.path.join(HERE, "ws_latency.py"), "--runs", "1",
                              "--seconds", str(args.seconds), "--sluice", args.sluice,
                              "--out", os.path.join(work, "ws_latency.json")],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while newest_pid("ws_client send") is None:
            if bench.poll() is not None or time.monotonic() > deadline:
                fail("the latency run ended before it sent webhooks:\n" + (bench.stdout.read() or "")[-800:])
            time.sleep(0.05)
        time.sleep(2)
        server = newest_pid(f"{args.sluice} serve")
        if server is None:
            fail("no `sluice serve` process was found.")
        record = subprocess.run(["perf", "record", "-q", "-e", "raw_syscalls:sys_enter,raw_syscalls:sys_exit",
                                 "-p", str(server), "-o", trace, "--", "sleep", str(args.trace_seconds)],
                                capture_output=True, text=True)
        if record.returncode != 0 or not os.path.exists(trace):
            fail(f"perf record failed: {record.stderr.strip()[-300:]}")
        output, _ = bench.communicate(timeout=args.seconds + 120)
    finally:
        if bench.poll() is None:
            bench.kill()

    rows = stages(read_trace(trace))
    if len(rows) < 50:
        fail(f"only {len(rows)} webhooks could be followed through the trace; are the threads named "
             "(MHD-worker, sluice-writer, sluice-ws, …default-qos)?")
    print(f"{len(rows)} webhooks followed through {args.trace_seconds:g} s of system calls "
          f"(200/s, 10 listeners); µs")
    print(f"{'step':<32}{'p50':>8}{'p90':>8}")
    for i, name in enumerate(NAMES):
        values = sorted(r[i] for r in rows)
        print(f"{name:<32}{values[len(values) // 2]:>8.0f}{values[int(len(values) * 0.9)]:>8.0f}")
    for line in output.splitlines():
        if "e2e p50 <=" in line:
            print("latency run (traced, so slower):" + line.split(":", 1)[1])
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
