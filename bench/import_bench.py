#!/usr/bin/env python3
"""Import benchmark: `sluice import` against plain sqlite3 on the same NextGen file.

For each side: wall seconds, rows/s, peak RSS (from `/usr/bin/time -v`) and fsync
+ fdatasync calls per 1,000 rows (from `strace -c`, in a second run so strace's
slowdown never touches the timing). Prints a table, checks the targets
(>= 100,000 rows/s, faster than the reference, peak RSS <= 150 MiB) and writes
everything as JSON. Local files only; no network.

Exit status: 0 when both sides ran (whether or not the targets hold, unless
--require-targets), 1 when something could not run, 2 on bad usage.

Usage: import_bench.py [--rows N] [--seed S] [--sluice PATH] [--skip-sluice]
"""

import argparse
import json
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
TARGET_ROWS_PER_SECOND = 100_000
TARGET_RSS_MIB = 150


class BenchError(Exception):
    """A step could not run; the message is one sentence for the user."""


def run_timed(argv, workdir, stdin_path=None):
    """Runs argv under /usr/bin/time -v; returns (seconds, peak RSS MiB, exit code, stdout, stderr)."""
    time_file = os.path.join(workdir, "time.txt")
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        started = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-v", "-o", time_file, *argv], stdin=stdin,
                              capture_output=True, cwd=REPO)
        seconds = time.perf_counter() - started
    finally:
        if stdin_path:
            stdin.close()
    with open(time_file) as f:
        report = f.read()
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report)
    rss_mib = int(match.group(1)) / 1024 if match else None
    return seconds, rss_mib, done.returncode, done.stdout.decode(errors="replace"), \
        done.stderr.decode(errors="replace")


def count_fsyncs(argv, workdir, stdin_path=None):
    """Runs argv under `strace -f -c`; returns the number of fsync + fdatasync calls.

    --seccomp-bpf stops the process only at the traced calls, not at every read and write.
    """
    summary = os.path.join(workdir, "strace.txt")
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        done = subprocess.run(["strace", "-f", "--seccomp-bpf", "-c", "-e", "trace=fsync,fdatasync", "-o", summary, *argv],
                              stdin=stdin, capture_output=True, cwd=REPO)
    finally:
        if stdin_path:
            stdin.close()
    if done.returncode != 0:
        raise BenchError(f"the strace run failed (exit {done.returncode}): {last_line(done.stderr)}")
    calls = 0
    with open(summary) as f:
        for line in f:
            fields = line.split()
            # "% time  seconds  usecs/call  calls  [errors]  syscall"
            if len(fields) >= 5 and fields[-1] in ("fsync", "fdatasync"):
                calls += int(fields[3])
    return calls


def last_line(text):
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


def result(rows, seconds, rss_mib, fsyncs, **extra):
    return {
        "rows": rows,
        "seconds": round(seconds, 3),
        "rowsPerSecond": round(rows / seconds) if seconds > 0 else None,
        "peakRssMiB": round(rss_mib, 1) if rss_mib is not None else None,
        "fsyncs": fsyncs,
        "fsyncsPer1kRows": round(fsyncs * 1000 / rows, 3) if rows else None,
        **extra,
    }


# --- Sluice -------------------------------------------------------------------------------

def sluice_tenant(sluice, db):
    argv = [sluice, "tenants", "add", "Bench", "--db", db, "--json"]
    done = subprocess.run(argv, capture_output=True, cwd=REPO)
    if done.returncode != 0:
        raise BenchError(f"`sluice tenants add Bench --db DB --json` failed (exit {done.returncode}): "
                         f"{last_line(done.stderr)}")
    try:
        return str(json.loads(done.stdout)["id"])
    except (ValueError, KeyError, TypeError):
        raise BenchError("`sluice tenants add --json` did not print a JSON object with an \"id\"; "
                         f"it printed: {done.stdout[:200].decode(errors='replace')!r}")


def sluice_import_argv(sluice, csv_path, tenant, db, vendors):
    argv = [sluice, "import", csv_path, "--tenant", tenant, "--db", db, "--json"]
    if vendors:
        argv += ["--vendors", vendors]
    return argv


def bench_sluice(sluice, csv_path, rows, vendors, work):
    if not (os.path.isfile(sluice) and os.access(sluice, os.X_OK)):
        raise BenchError(f"there is no sluice binary at {sluice}; build it with `make build` first.")
    # Timed run: fresh database, new tenant, nothing else running in it.
    run_dir = tempfile.mkdtemp(prefix="sluice-", dir=work)
    db = os.path.join(run_dir, "sluice.db")
    tenant = sluice_tenant(sluice, db)
    seconds, rss, code, out, err = run_timed(sluice_import_argv(sluice, csv_path, tenant, db, vendors), run_dir)
    if code != 0:
        raise BenchError(f"`sluice import` failed (exit {code}): {last_line(err)}")
    try:
        reply = json.loads(out)
    except ValueError:
        raise BenchError(f"`sluice import --json` did not print one JSON object; it printed: {out[:200]!r}")
    counts = {key: reply.get(key) for key in ("rows", "created", "updated", "unchanged", "skipped", "errorCount")}
    if counts["rows"] != rows:
        print(f"warning: sluice reports {counts['rows']} rows, the file has {rows}", file=sys.stderr)
    # Counting run: again from scratch, under strace.
    strace_dir = tempfile.mkdtemp(prefix="sluice-strace-", dir=work)
    db = os.path.join(strace_dir, "sluice.db")
    tenant = sluice_tenant(sluice, db)
    fsyncs = count_fsyncs(sluice_import_argv(sluice, csv_path, tenant, db, vendors), strace_dir)
    return result(rows, seconds, rss, fsyncs, reply=counts)


# --- Reference ----------------------------------------------------------------------------

def bench_reference(csv_path, rows, work):
    with open(os.path.join(HERE, "reference.sql")) as f:
        script = f.read().replace("@CSV@", '"' + csv_path.replace('"', '\\"') + '"')
    script_path = os.path.join(work, "reference.sql")
    with open(script_path, "w") as f:
        f.write(script)

    def fresh_db(prefix):
        return os.path.join(tempfile.mkdtemp(prefix=prefix, dir=work), "reference.db")

    db = fresh_db("reference-")
    seconds, rss, code, out, err = run_timed(["sqlite3", "-bail", db], os.path.dirname(db), script_path)
    if code != 0:
        raise BenchError(f"the sqlite3 reference import failed (exit {code}): {last_line(err)}")
    match = re.search(r"leads=(\d+)", out)
    leads = int(match.group(1)) if match else None
    db = fresh_db("reference-strace-")
    fsyncs = count_fsyncs(["sqlite3", "-bail", db], os.path.dirname(db), script_path)
    return result(rows, seconds, rss, fsyncs, leads=leads)


# --- Report -------------------------------------------------------------------------------

def table(results):
    header = f"{'':16}{'rows':>12}{'seconds':>10}{'rows/s':>12}{'peak RSS MiB':>15}{'fsyncs/1k rows':>17}"
    lines = [header]
    for name, r in results:
        if r is None or "error" in r:
            lines.append(f"{name:16}  did not run")
            continue
        rss = f"{r['peakRssMiB']:.1f}" if r["peakRssMiB"] is not None else "?"
        lines.append(f"{name:16}{r['rows']:>12,}{r['seconds']:>10.2f}{r['rowsPerSecond']:>12,}{rss:>15}"
                     f"{r['fsyncsPer1kRows']:>17.3f}")
    return "\n".join(lines)


def check_targets(sluice, reference):
    if sluice is None or "error" in sluice:
        return None
    targets = {
        "rowsPerSecondAtLeast100k": sluice["rowsPerSecond"] >= TARGET_ROWS_PER_SECOND,
        "fasterThanReference": reference is not None and "error" not in reference
        and sluice["seconds"] < reference["seconds"],
        "peakRssAtMost150MiB": sluice["peakRssMiB"] is not None and sluice["peakRssMiB"] <= TARGET_RSS_MIB,
    }
    targets["allHold"] = all(targets.values())
    return targets


def ensure_tools():
    missing = [tool for tool in ("sqlite3", "strace") if shutil.which(tool) is None]
    if not os.access("/usr/bin/time", os.X_OK):
        missing.append("time")
    if missing:
        raise BenchError(f"missing tools: install the Debian packages {' '.join(missing)} (or run `make bench`).")


def ensure_file(rows, seed, work):
    """Generates the input once per (rows, seed, generator version); later runs reuse it."""
    generator = os.path.join(HERE, "gen_nextgen.py")
    csv_path = os.path.join(work, f"nextgen-{rows}-seed{seed}.csv")
    stats_path = csv_path + ".json"
    fresh = os.path.exists(csv_path) and os.path.exists(stats_path) \
        and os.path.getmtime(csv_path) >= os.path.getmtime(generator)
    if not fresh:
        print(f"generating {rows:,} NextGen rows (seed {seed}) …", file=sys.stderr)
        done = subprocess.run([sys.executable, generator, "--rows", str(rows), "--seed", str(seed),
                               "--out", csv_path, "--stats", stats_path])
        if done.returncode != 0:
            raise BenchError(f"the generator failed (exit {done.returncode}).")
    with open(stats_path) as f:
        return csv_path, json.load(f)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=int(os.environ.get("BENCH_ROWS", 1_000_000)))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--sluice", default=os.path.join(REPO, ".build", "release", "sluice"))
    parser.add_argument("--vendors", default=os.path.join(REPO, "vendors.yaml"),
                        help="passed to `sluice import --vendors` when the file exists")
    parser.add_argument("--work", default=os.path.join(REPO, ".build", "bench"),
                        help="where the input file and the scratch databases go (same disk as the repo)")
    parser.add_argument("--out", default=os.path.join(REPO, ".build", "bench", "import.json"))
    parser.add_argument("--skip-sluice", action="store_true", help="run only the sqlite3 reference")
    parser.add_argument("--require-targets", action="store_true", help="exit 1 when a target does not hold")
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    args = parser.parse_args()
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="run-", dir=work)
    vendors = os.path.abspath(args.vendors) if os.path.isfile(args.vendors) else None

    failures = []
    sluice_result = reference_result = None
    try:
        ensure_tools()
        csv_path, gen_stats = ensure_file(args.rows, args.seed, work)
        load_before = os.getloadavg()[0]
        if not args.skip_sluice:
            try:
                sluice_result = bench_sluice(os.path.abspath(args.sluice), csv_path, args.rows, vendors, scratch)
            except BenchError as error:
                sluice_result = {"error": str(error)}
                failures.append(f"Sluice: {error}")
        try:
            reference_result = bench_reference(csv_path, args.rows, scratch)
        except BenchError as error:
            reference_result = {"error": str(error)}
            failures.append(f"Reference: {error}")
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)

    targets = check_targets(sluice_result, reference_result)
    report = {
        "rows": args.rows,
        "seed": args.seed,
        "file": csv_path,
        "fileBytes": os.path.getsize(csv_path),
        "generator": gen_stats,
        "machine": {"cpus": os.cpu_count(), "loadAverage1mBefore": round(load_before, 2),
                    "python": platform.python_version()},
        "sluice": sluice_result if not args.skip_sluice else None,
        "reference": reference_result,
        "targets": targets,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")

    print(f"\nImport benchmark: {args.rows:,} NextGen rows ({report['fileBytes'] / 1e6:.1f} MB), seed {args.seed}, "
          f"{gen_stats['distinctPhones']:,} distinct phones")
    sides = [("sluice", sluice_result)] if not args.skip_sluice else []
    print(table(sides + [("sqlite3 (ref.)", reference_result)]))
    if sluice_result and "reply" in sluice_result:
        print("sluice import reply: " + ", ".join(f"{k} {v}" for k, v in sluice_result["reply"].items()))
    if targets is not None:
        def mark(ok):
            return "yes" if ok else "NO"
        print(f"targets: >= {TARGET_ROWS_PER_SECOND:,} rows/s: {mark(targets['rowsPerSecondAtLeast100k'])}; "
              f"faster than the reference: {mark(targets['fasterThanReference'])}; "
              f"peak RSS <= {TARGET_RSS_MIB} MiB: {mark(targets['peakRssAtMost150MiB'])}")
    if load_before > 0.5:
        print(f"note: the 1-minute load average was {load_before:.2f} before the runs; "
              "figures from a busy machine are slower than they should be.")
    print(f"results: {os.path.relpath(args.out, REPO) if args.out.startswith(REPO) else args.out}")
    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    if failures:
        return 1
    if args.require_targets and targets is not None and not targets["allHold"]:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
