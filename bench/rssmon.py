#!/usr/bin/env python3
"""Peak memory of a detached dbbackup worker, for run.sh.

The CLI's `--wait` process only polls the record; the work happens in `dbbackup worker
--repository REPO --id ID`, which the CLI starts through setsid. GNU time's %M for the CLI is
therefore max(CLI, worker): the kernel folds a reaped child's peak into its parent's. So this
samples the processes themselves: the worker every 100 ms (a /proc scan every 50 ms until it
appears), the CLI (run.sh passes --repository REPO so its argv names the repository), and keeps
  - the worker's VmHWM (the kernel's own peak-RSS counter for that process; monotonic, so a
    sample taken shortly before exit is the true peak unless memory grew in the last 100 ms),
  - the largest VmHWM of any descendant of the worker (pg_dump, pg_restore, mariadb, ...;
    found by a /proc scan every 0.5 s, so a child that lives shorter than that can be missed),
  - the largest sum of current VmRSS over the worker and its descendants at one instant,
  - the CLI's own VmHWM.
Usage: rssmon.py REPOSITORY_PATH OUTPUT_FILE. Stops on SIGTERM and writes
"worker_kb children_kb sum_kb cli_kb worker_pids" to OUTPUT_FILE.
"""
import os
import signal
import sys
import time

repo, out = sys.argv[1], sys.argv[2]
worker_kb = children_kb = sum_kb = cli_kb = 0
workers = set()
running = True


def stop(*_):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)


def status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def find(kind_worker):
    """Pids whose argv names this repository: the worker (argv has "worker") or the CLI (it does not)."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        # argv[0] filters out /usr/bin/time and this monitor, whose argv name the repository too
        # (setsid: the launcher's first instant, before it execs dbbackup in the same pid).
        if repo_b in argv and (b"worker" in argv) == kind_worker and argv[0].endswith((b"dbbackup", b"setsid")):
            found.append(int(name))
    return found


def descendants(roots):
    """Every descendant of the given pids (a /proc scan of ppids)."""
    parent = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # comm may contain spaces and parentheses: the fields after the last ')' are fixed.
        parent[int(name)] = int(stat[stat.rindex(")") + 2:].split()[1])
    found, frontier = [], list(roots)
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        found += kids
        frontier += kids
    return found


repo_b = repo.encode()
tick = 0
kids = []
clis = set()
while running:
    found = [w for w in workers if os.path.exists(f"/proc/{w}")] or find(True)
    workers.update(found)
    if not clis:
        clis.update(find(False))
    for c in clis:
        cli_kb = max(cli_kb, status_kb(c, "VmHWM"))
    if found and tick % 5 == 0:
        kids = descendants(found)  # every 0.5 s: the full scan is the expensive part
    total = 0
    for w in found:
        worker_kb = max(worker_kb, status_kb(w, "VmHWM"))
        total += status_kb(w, "VmRSS")
    for d in kids:
        children_kb = max(children_kb, status_kb(d, "VmHWM"))
        total += status_kb(d, "VmRSS")
    sum_kb = max(sum_kb, total)
    tick += 1
    time.sleep(0.1 if found else 0.05)

with open(out, "w") as f:
    f.write(f"{worker_kb} {children_kb} {sum_kb} {cli_kb} {','.join(map(str, sorted(workers)))}\n")
