#!/usr/bin/env python3
"""bench/httpload.py URL RATE SECONDS: an open-loop HTTP load generator.

Requests go out on a fixed schedule (RATE per second) over one keep-alive
connection; each latency is measured from the time the request was due,
not from when it was sent, so a slow answer that delays the next ones
counts against them too (no coordinated omission, as wrk2 does it).
Prints: sent, rate, median, p90, p99, p99.9, max (ms), non-200 answers."""
import http.client
import sys
import time
import urllib.parse

url, rate, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
u = urllib.parse.urlsplit(url)
path = u.path + ("?" + u.query if u.query else "")
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
lat, bad = [], 0
n = int(rate * seconds)
start = time.perf_counter() + 0.1
for i in range(n):
    due = start + i / rate
    now = time.perf_counter()
    if due > now:
        time.sleep(due - now)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            bad += 1
    except (OSError, http.client.HTTPException):
        bad += 1
        conn.close()
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    lat.append((time.perf_counter() - due) * 1000)
elapsed = time.perf_counter() - start
lat.sort()
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
print("%d %.1f %.3f %.3f %.3f %.3f %.3f %d" % (n, n / elapsed, q(0.5), q(0.9), q(0.99),
      q(0.999), lat[-1], bad))
