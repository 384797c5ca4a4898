"""crudd's OpenAPI export through the tools a user feeds it to: for the
default API and for each config/examples/*.json, the document a running
crudd serves is

  - linted by Redocly CLI (`redocly lint`, its recommended rules less the
    three redocly.yaml turns off and says why): no error and no warning;
  - turned into TypeScript types by openapi-typescript;
  - used by a small client, usage/<name>.ts (default.ts for the default
    API), that `tsc --noEmit --strict` must compile: request bodies take any
    attribute, answers carry the item with its key as a string, lists their
    items, count and nextToken, errors their message; the @ts-expect-error
    lines in it prove the types are not so loose that anything goes.

One deviation is known and pinned: a greedy path ("/{proxy+}") names its
parameter "proxy", as API Gateway does, which Redocly flags on the path's
OPTIONS mock (tests/blackbox/configs/openapi-rest.json: that and nothing
else).

And the usage file is no empty promise: against the same document with its
body schemas reduced to a bare {"type": "object"} (the export before
operationIds and item schemas, which openapi-typescript types as
Record<string, never>), it does not compile.

The tools are pinned in package.json and package-lock.json beside this file
and installed with `npm ci` when missing (`make openapi-tools` runs this).
Without npm or the registry the tests are skipped, loudly, unless
CRUDD_OPENAPI_TOOLS_TEST=1 (CI) makes that a failure.

    CRUDD_BIN=/path/to/crudd python3 tests/openapi/test_openapi_tools.py
"""

import concurrent.futures
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "blackbox"))
os.environ.setdefault("CRUDD_BIN", os.path.join(ROOT, "crudd"))

from harness import Server  # noqa: E402

# every example config; a seed file beside one (NAME-seed.json) is data
EXAMPLES = sorted(p for p in glob.glob(os.path.join(ROOT, "config", "examples",
                                                    "*.json"))
                  if not p.endswith("-seed.json"))
BIN = os.path.join(HERE, "node_modules", ".bin")
TOOLS = ("redocly", "openapi-typescript", "tsc")
REDOCLY_YAML = os.path.join(HERE, "redocly.yaml")
GREEDY = os.path.join(ROOT, "tests", "blackbox", "configs", "openapi-rest.json")
TOOL_TIMEOUT = 120
ENV = dict(os.environ, REDOCLY_TELEMETRY="off",
           REDOCLY_SUPPRESS_UPDATE_NOTICE="true", NO_COLOR="1")

_installed = None


def tools_installed():
    """The pinned tools, installed with `npm ci` once if they are not: None
    when they are there, else why they cannot be had."""
    global _installed
    if _installed is None:
        _installed = ""
        if not all(os.access(os.path.join(BIN, t), os.X_OK) for t in TOOLS):
            if not shutil.which("npm"):
                _installed = "no npm (make test-deps installs it)"
            else:
                try:
                    p = subprocess.run(
                        ["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE,
                        stdin=subprocess.DEVNULL, capture_output=True,
                        text=True, timeout=600)
                    if p.returncode:
                        _installed = "npm ci failed: " + (
                            p.stderr.strip().splitlines() or ["?"])[-1]
                except (OSError, subprocess.TimeoutExpired) as e:
                    _installed = "npm ci failed: %s" % e
    return _installed or None


def need_tools(cls):
    why = tools_installed()
    if why is None:
        return cls
    if os.environ.get("CRUDD_OPENAPI_TOOLS_TEST") == "1":
        def setUpClass(klass):
            raise AssertionError(
                "CRUDD_OPENAPI_TOOLS_TEST=1 but the OpenAPI tools cannot be "
                "installed: " + why)
        cls.setUpClass = classmethod(setUpClass)
        return cls
    print("\n*** SKIPPED: OpenAPI tool tests: %s ***" % why, file=sys.stderr)
    return unittest.skip(why)(cls)


def run_tool(tool, *args, cwd=HERE):
    return subprocess.run([os.path.join(BIN, tool)] + list(args), cwd=cwd,
                          env=ENV, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True,
                          timeout=TOOL_TIMEOUT)


def bare_bodies(doc):
    """doc with every request and response body schema a bare object, as the
    export described them before it described items."""
    doc = json.loads(json.dumps(doc))
    for item in doc["paths"].values():
        for op in item.values():
            bodies = [op.get("requestBody", {})] + list(
                op.get("responses", {}).values())
            for b in bodies:
                for media in b.get("content", {}).values():
                    media["schema"] = {"type": "object"}
    doc["components"]["schemas"] = {}
    return doc


def documents():
    """(name, crudd's arguments) of each document: the default API (no
    config), then each example."""
    docs = [("default", [])]
    for path in EXAMPLES:
        docs.append((os.path.splitext(os.path.basename(path))[0],
                     ["--config", path]))
    return docs


@need_tools
class OpenApiToolsTest(unittest.TestCase):
    """Each document fetched from its own crudd, then linted and typed (two
    at a time: node starts slowly) and every client compiled by one tsc run,
    the clients against bare bodies by another."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="crudd-openapi-tools.")
        cls.docs = {}
        greedy = os.path.join(cls.tmp, "greedy.json")
        for name, args in documents() + [("greedy", ["--config", GREEDY])]:
            srv = Server(args)
            try:
                r = srv.request("GET", "/openapi.json")
                assert r.status == 200, r
                if name == "greedy":
                    with open(greedy, "w") as f:
                        f.write(r.body.decode())
                else:
                    cls.docs[name] = r.json()
                srv.stop()
            finally:
                srv.cleanup()
        jobs = []
        for name, doc in cls.docs.items():
            for kind, d in (("typed", doc), ("bare", bare_bodies(doc))):
                out = os.path.join(cls.tmp, kind, name)
                os.makedirs(out)
                with open(os.path.join(out, "openapi.json"), "w") as f:
                    json.dump(d, f, indent=2)
                shutil.copy(os.path.join(HERE, "usage", name + ".ts"), out)
                jobs.append(out)
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            cls.lint = dict(zip(cls.docs, pool.map(
                lambda n: run_tool("redocly", "lint", "--config",
                                   REDOCLY_YAML, "--format", "json",
                                   os.path.join(cls.tmp, "typed", n,
                                                "openapi.json")),
                cls.docs)))
            cls.generated = dict(zip(jobs, pool.map(
                lambda out: run_tool(
                    "openapi-typescript", os.path.join(out, "openapi.json"),
                    "--redocly", REDOCLY_YAML, "-o",
                    os.path.join(out, "api.d.ts")), jobs)))
            cls.tsc = dict(zip(("typed", "bare"), pool.map(
                lambda kind: cls.compile(kind), ("typed", "bare"))))
            cls.greedy_lint = run_tool("redocly", "lint", "--config",
                                       REDOCLY_YAML, "--format", "json",
                                       greedy)

    @classmethod
    def compile(cls, kind):
        """tsc over every client of kind, once the types are there."""
        files = [os.path.join(cls.tmp, kind, n, n + ".ts") for n in cls.docs]
        if not all(os.path.exists(os.path.join(os.path.dirname(f),
                                               "api.d.ts")) for f in files):
            return None
        return run_tool("tsc", "--noEmit", "--strict", "--target", "es2020",
                        *files)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_redocly_lint_finds_nothing(self):
        for name, p in self.lint.items():
            with self.subTest(document=name):
                report = json.loads(p.stdout[p.stdout.find("{"):])
                problems = ["%s %s: %s" % (x.get("severity"), x.get("ruleId"),
                                           x.get("message"))
                            for x in report.get("problems", [])]
                self.assertEqual(problems, [])
                self.assertEqual(report["totals"]["errors"], 0)
                self.assertEqual(report["totals"]["warnings"], 0)
                self.assertEqual(p.returncode, 0, p.stderr)

    def test_a_greedy_path_is_flagged_only_for_api_gateway_s_name(self):
        # "/debug/{proxy+}" has the parameter "proxy", as API Gateway's
        # export and import name it; OpenAPI would call it "proxy+", so
        # Redocly flags that, and only that, on its OPTIONS mock. (The ANY
        # route itself is x-amazon-apigateway-any-method, an extension that
        # Redocly and generators do not read as an operation.)
        # tests/blackbox/configs/openapi-rest.json
        p = self.greedy_lint
        report = json.loads(p.stdout[p.stdout.find("{"):])
        problems = [(x.get("ruleId"), x.get("message"),
                     [loc.get("pointer") for loc in x.get("location", [])])
                    for x in report.get("problems", [])]
        self.assertEqual(problems, [(
            "path-parameters-defined",
            "Path parameter `proxy` is not used in the path "
            "`/debug/{proxy+}`.",
            ["#/paths/~1debug~1{proxy+}/options/parameters/0/name"])])

    def test_openapi_typescript_generates_every_document(self):
        for out, p in self.generated.items():
            with self.subTest(types=out):
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                if "/typed/" in out:
                    with open(os.path.join(out, "api.d.ts")) as f:
                        types = f.read()
                    # no body is typed as an object with no properties
                    self.assertNotIn(
                        '"application/json": Record<string, never>', types)

    def test_each_client_compiles_against_its_types(self):
        p = self.tsc["typed"]
        self.assertIsNotNone(p, "types were not generated")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_no_client_compiles_against_bare_bodies(self):
        p = self.tsc["bare"]
        self.assertIsNotNone(p, "types were not generated")
        self.assertNotEqual(p.returncode, 0, p.stdout)
        for name in self.docs:
            with self.subTest(document=name):
                self.assertIn(os.path.join("bare", name, name + ".ts") + "(",
                              p.stdout)


class EveryExampleHasAUsageFileTest(unittest.TestCase):

    def test_each_example_has_its_client(self):
        for path in EXAMPLES:
            name = os.path.splitext(os.path.basename(path))[0]
            with self.subTest(example=name):
                self.assertTrue(os.path.isfile(
                    os.path.join(HERE, "usage", name + ".ts")))


if __name__ == "__main__":
    unittest.main(verbosity=2)
