#!/usr/bin/env python3
"""Fixed-count WOPI driver for bench/syscalls.sh: N operations from C threads, each with its
own keep-alive connection and its own share of the files (no two threads on one file).

usage: syscalls.py URL OP N C FILE...   where FILE is "path?access_token=..." and OP is
refresh | lockunlock | cfi.  Prints "ops seconds" on stdout; exits non-zero on a non-200."""
import http.client, sys, threading, time, urllib.parse

url, op, n, c = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
files = sys.argv[5:]
u = urllib.parse.urlparse(url)
errors = []


def worker(t):
    mine = [f for i, f in enumerate(files) if i % c == t] or files
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    k = 0
    for _ in range(n // c):
        f = mine[k % len(mine)]
        if op == "cfi":
            conn.request("GET", f)
        else:
            o = "REFRESH_LOCK"
            if op == "lockunlock":
                o = "UNLOCK" if (k // len(mine)) % 2 == 0 else "LOCK"
            conn.request("POST", f, body=b"", headers={"X-WOPI-Override": o, "X-WOPI-Lock": "bench"})
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            errors.append("%s %d" % (f, r.status))
            return
        k += 1


t0 = time.time()
ts = [threading.Thread(target=worker, args=(t,)) for t in range(c)]
for t in ts:
    t.start()
for t in ts:
    t.join()
if errors:
    sys.exit("non-200: " + errors[0])
print(n // c * c, "%.3f" % (time.time() - t0))
