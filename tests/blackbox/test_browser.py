"""A browser front end against crudd: headless Chromium loads a page from
another origin (another port) whose script calls the API with fetch().

The default API answers CORS for any origin, so the page's POST (a
non-simple request: JSON, so the browser sends a preflight first), GET and
DELETE all work; a declared API without "cors" is refused by the browser,
as in the cloud. Needs Debian's chromium (CI installs it); without it these
tests are skipped, loudly, unless CRUDD_BROWSER_TEST=1 makes that a failure.
"""

import http.server
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import unittest

from harness import CruddTestCase

CONFIGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "configs")
CHROMIUM = next((p for p in (shutil.which("chromium"),
                             shutil.which("chromium-browser"),
                             shutil.which("google-chrome")) if p), None)

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>crudd from a browser</title></head>
<body><pre id="out">pending</pre>
<script>
(async () => {
  const api = %(api)s;
  const out = {origin: location.origin};
  try {
    let r = await fetch(api + "/items", {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({id: %(id)s, name: "pen", price: 19.99})});
    out.post = r.status;
    out.created = (await r.json()).item;
    r = await fetch(api + "/items/" + %(id)s);
    out.get = r.status;
    out.got = await r.json();
    r = await fetch(api + "/items/" + %(id)s, {method: "DELETE"});
    out.delete = r.status;
  } catch (e) {
    out.error = String(e);
  }
  document.getElementById("out").textContent = JSON.stringify(out);
})();
</script></body></html>
"""


class PageServer:
    """Serves one page on 127.0.0.1 at a free port: the other origin."""

    def __init__(self, html):
        body = html.encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                     Handler)
        self.url = "http://127.0.0.1:%d/" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def run_page(api, item_id):
    """Load the page in headless Chromium and return what its script wrote
    (a dict), once the fetches are done."""
    page = PageServer(PAGE % {"api": json.dumps(api),
                              "id": json.dumps(item_id)})
    profile = tempfile.mkdtemp(prefix="crudd-chromium-")
    try:
        cmd = [CHROMIUM, "--headless", "--disable-gpu", "--no-sandbox",
               "--disable-dev-shm-usage", "--no-first-run",
               "--user-data-dir=" + profile,
               "--virtual-time-budget=15000", "--dump-dom", page.url]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
        m = re.search(r'<pre id="out">(.*?)</pre>', p.stdout, re.S)
        if not m:
            raise AssertionError("no page in chromium's output (exit %d): %s"
                                 % (p.returncode, p.stderr[-2000:]))
        text = m.group(1).replace("&quot;", '"').replace("&amp;", "&")
        if text == "pending":
            raise AssertionError("the page's script did not finish")
        return json.loads(text)
    finally:
        page.close()
        shutil.rmtree(profile, ignore_errors=True)


def need_browser(test):
    if CHROMIUM:
        return test
    if os.environ.get("CRUDD_BROWSER_TEST") == "1":
        def fail(self):
            self.fail("CRUDD_BROWSER_TEST=1 but no chromium is installed "
                      "(apt-get install chromium)")
        return fail
    print("\n*** SKIPPED: browser tests need chromium "
          "(apt-get install chromium) ***")
    return unittest.skip("no chromium: apt-get install chromium")(test)


class BrowserTest(CruddTestCase):

    @need_browser
    def test_a_page_on_another_origin_calls_the_default_api(self):
        api = "http://127.0.0.1:%d" % self.srv.port
        out = run_page(api, "browser-1")
        self.assertNotIn("error", out, out)
        self.assertNotEqual(out["origin"], api)
        self.assertEqual(out["post"], 201, out)
        self.assertEqual(out["created"],
                         {"id": "browser-1", "name": "pen", "price": 19.99})
        self.assertEqual(out["get"], 200, out)
        self.assertEqual(out["got"], out["created"])
        self.assertEqual(out["delete"], 200, out)
        self.assertEqual(self.get_item("browser-1").status, 404)

    @need_browser
    def test_a_declared_api_without_cors_is_refused_by_the_browser(self):
        srv = self.start_server(
            ["--config", os.path.join(CONFIGS, "items-declared.json")])
        out = run_page("http://127.0.0.1:%d" % srv.port, "browser-2")
        self.assertEqual(out.get("error"), "TypeError: Failed to fetch", out)
        self.assertNotIn("post", out)
        # the preflight was refused, so the POST never ran
        self.assertEqual(self.get_item("browser-2", srv=srv).status, 404)
        srv.stop()
