#!/usr/bin/env python3
"""The file browser's first page in a large folder, measured in Chromium (bench/web.sh runs it).

Fills the user's home folder with --files small files through the page's own upload endpoint
(one keep-alive connection, as upload.js would, minus the browser), then drives headless
Chromium over WebDriver (plain HTTP to chromedriver, no client library) and loads the folder
page --runs times, reading the Navigation Timing entry of each load:

  response   responseEnd - startTime: request sent until the last byte of HTML arrived
  dcl        domContentLoadedEventEnd - startTime
  load       loadEventEnd - startTime
  html       decodedBodySize: bytes of HTML (transferSize when the browser reports no body size)
  nodes      document.getElementsByTagName('*').length

and prints each run and the median. The issue's target: first page < 300 ms, < 200 KB of HTML.
A benchmark: it prints figures and fails only when a request or the browser fails.
"""

import argparse
import http.client
import http.cookiejar
import json
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Web:
    """A signed-in web session (cookie jar, no redirects followed)."""

    def __init__(self, base, login, password):
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **k):
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )
        page = self.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode(
            {"login": login, "password": password, "csrf": csrf, "next": "/"}
        ).encode()
        status, headers, _ = self.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 303:
            sys.exit(f"web.py: sign-in answered {status}")
        status, headers, _ = self.request("GET", "/")
        self.folder = headers["Location"].rsplit("/", 1)[-1]
        page = self.get(f"/folders/{self.folder}")
        self.csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)

    def request(self, method, path, body=None, headers=None):
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        try:
            with self.opener.open(req) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def get(self, path):
        status, _, body = self.request("GET", path)
        if status != 200:
            sys.exit(f"web.py: GET {path} answered {status}")
        return body.decode()

    def cookie(self):
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def fill(self, n):
        """Uploads n small files on one keep-alive connection."""
        u = urllib.parse.urlparse(self.base)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        started = time.monotonic()
        for i in range(n):
            name = f"Report {i:05d} — quarterly figures.docx"
            body = f"file {i}".encode()
            conn.request(
                "POST",
                f"/folders/{self.folder}/upload?name={urllib.parse.quote(name)}",
                body,
                {
                    "Cookie": self.cookie(),
                    "X-CSRF-Token": self.csrf,
                    "Accept": "application/json",
                    "Content-Type": "application/octet-stream",
                },
            )
            r = conn.getresponse()
            r.read()
            if r.status != 200:
                sys.exit(f"web.py: upload {i} answered {r.status}")
        conn.close()
        return time.monotonic() - started


class Driver:
    """A chromedriver process and one headless Chromium session, over plain WebDriver HTTP."""

    def __init__(self, chromedriver, chromium, width, height):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [chromedriver, f"--port={self.port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        caps = {
            "capabilities": {
                "alwaysMatch": {
                    "goog:chromeOptions": {
                        "binary": chromium,
                        "args": [
                            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                            "--no-first-run", "--disable-background-networking", "--disable-sync",
                            f"--window-size={width},{height}",
                        ],
                    }
                }
            }
        }
        deadline = time.monotonic() + 60
        while True:
            try:
                self.session = self.call("POST", "/session", caps)["sessionId"]
                break
            except (ConnectionError, urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    self.quit()
                    sys.exit("web.py: chromedriver gave no session within 60 s")
                time.sleep(0.2)

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.loads(r.read())["value"]

    def s(self, method, path, body=None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def goto(self, url):
        self.s("POST", "/url", {"url": url})

    def js(self, script):
        return self.s("POST", "/execute/sync", {"script": script, "args": []})

    def quit(self):
        try:
            if getattr(self, "session", None):
                self.call("DELETE", f"/session/{self.session}")
        finally:
            self.proc.terminate()
            self.proc.wait()


MEASURE = """
var n = performance.getEntriesByType('navigation')[0];
return { response: n.responseEnd - n.startTime, dcl: n.domContentLoadedEventEnd - n.startTime,
         load: n.loadEventEnd - n.startTime, html: n.decodedBodySize || n.transferSize,
         nodes: document.getElementsByTagName('*').length,
         rows: document.querySelectorAll('#listing tbody tr').length,
         range: (document.getElementById('page-range') || {}).textContent || '' };
"""


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--login", default="bench")
    p.add_argument("--password", required=True)
    p.add_argument("--files", type=int, default=10000)
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--label", default="")
    a = p.parse_args()

    web = Web(a.url, a.login, a.password)
    took = web.fill(a.files)
    print(f"filled the folder with {a.files} files in {took:.1f} s")

    d = Driver(a.chromedriver, a.chromium, 1280, 900)
    try:
        d.goto(a.url + "/login")
        # Sign in through the page, as a person does.
        for field, value in (("login", a.login), ("password", a.password)):
            el = d.s("POST", "/element", {"using": "css selector", "value": f"#{field}"})
            eid = list(el.values())[0]
            d.s("POST", f"/element/{eid}/value", {"text": value})
        btn = list(d.s("POST", "/element", {"using": "css selector", "value": "button[type=submit]"}).values())[0]
        d.s("POST", f"/element/{btn}/click", {})
        deadline = time.monotonic() + 60
        while "/folders/" not in d.s("GET", "/url"):
            if time.monotonic() > deadline:
                sys.exit("web.py: the browser did not reach the folder after signing in")
            time.sleep(0.1)
        folder_url = f"{a.url}/folders/{web.folder}"
        results = {}
        for label, url in (("first page", folder_url), ("first page by size", folder_url + "?sort=size&dir=desc")):
            runs = []
            d.goto(url)  # warm-up (caches, connection)
            for _ in range(a.runs):
                d.goto(url)
                runs.append(d.js(MEASURE))
            results[label] = runs
        print(f"# bench/web.sh — {a.label}")
        print(f"# folder of {a.files} files; {a.runs} loads each after one warm-up; times in ms")
        for label, runs in results.items():
            print(f"{label}: rows {runs[0]['rows']} ({runs[0]['range']}), HTML {runs[0]['html'] / 1024:.1f} KB, {runs[0]['nodes']} DOM nodes")
            for i, r in enumerate(runs, 1):
                print(f"  run {i}: response {r['response']:.0f}  DOMContentLoaded {r['dcl']:.0f}  load {r['load']:.0f}")
            med = {k: statistics.median(r[k] for r in runs) for k in ("response", "dcl", "load")}
            print(f"  median: response {med['response']:.0f}  DOMContentLoaded {med['dcl']:.0f}  load {med['load']:.0f}"
                  f"   (target: load < 300 ms, HTML < 200 KB)")
    finally:
        d.quit()


if __name__ == "__main__":
    main()
