"""The command line, the environment, the config file and the signals."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import unittest

from harness import (CRUDD_BIN, CruddTestCase, Server, clean_env, free_port,
                     run_cli, new_id, LISTENING_RE)

FLAGS = ("--port", "--bind", "--db", "--config", "--stage", "--log-level",
         "--threads", "--durability", "--help", "--version", "--healthcheck")


class CliTest(CruddTestCase):

    @classmethod
    def setUpClass(cls):
        pass        # each test starts what it needs

    @classmethod
    def tearDownClass(cls):
        pass

    def tmpfile(self, name, content):
        d = tempfile.mkdtemp(prefix="crudd-cli-")
        self.addCleanup(lambda: __import__("shutil").rmtree(d, True))
        path = os.path.join(d, name)
        with open(path, "w") as f:
            f.write(content)
        return path

    # -- informational flags -------------------------------------------------

    def test_help_exits_0_and_lists_every_flag(self):
        rc, out, err = run_cli(["--help"])
        self.assertEqual(rc, 0, err)
        text = out + err
        for flag in FLAGS:
            self.assertIn(flag, text)

    def test_version_exits_0_and_prints_a_version(self):
        rc, out, err = run_cli(["--version"])
        self.assertEqual(rc, 0, err)
        self.assertRegex(out + err, r"\d+\.\d+")

    def test_unknown_flag_exits_nonzero_with_a_message(self):
        rc, out, err = run_cli(["--no-such-flag"])
        self.assertNotEqual(rc, 0)
        self.assertIn("no-such-flag", err)

    def test_bad_flag_values_exit_nonzero(self):
        for args in (["--port", "notaport"], ["--port", "70000"],
                     ["--log-level", "loud"], ["--durability", "maybe"],
                     ["--threads", "zero"]):
            with self.subTest(args=args):
                rc, out, err = run_cli(args + ["--db", ":memory:"],
                                       timeout=5)
                self.assertNotEqual(rc, 0)
                self.assertTrue(err.strip())
                self.assertNotIn("listening on", err)

    # -- signals -------------------------------------------------------------

    def test_sighup_is_logged_and_crudd_keeps_serving(self):
        srv = self.start_server()
        item = self.create({"a": 1}, srv=srv)
        srv.proc.send_signal(signal.SIGHUP)
        line = srv.wait_for_log(lambda l: l.startswith("SIGHUP: "))
        self.assertEqual(
            line, "SIGHUP: crudd cannot reload its configuration yet; it "
            "keeps serving the one it started with (restart it to apply "
            "changes)")
        self.assert_item_is(item["id"], item, srv=srv)
        self.assertEqual(srv.stop(signal.SIGTERM), 0)

    def test_sigterm_exits_0(self):
        srv = self.start_server()
        self.assertEqual(srv.stop(signal.SIGTERM), 0)

    def test_sigint_exits_0(self):
        srv = self.start_server()
        self.assertEqual(self.req("GET", "/items", srv=srv).status, 200)
        self.assertEqual(srv.stop(signal.SIGINT), 0)

    # -- flags that shape the server -----------------------------------------

    def test_listening_line_reports_the_bound_address_and_port(self):
        srv = self.start_server(["--bind", "127.0.0.1"])
        self.assertRegex(srv.first_line, LISTENING_RE)
        self.assertEqual(srv.address, "127.0.0.1")
        self.assertGreater(srv.port, 0)
        self.assertEqual(self.req("GET", "/_crudd/health", srv=srv).status,
                         200)

    def test_explicit_port_is_used(self):
        port = free_port()
        srv = self.start_server(["--port", str(port)], port_arg=False)
        self.assertEqual(srv.port, port)
        self.assertEqual(self.req("GET", "/_crudd/health", srv=srv).status,
                         200)

    def test_memory_database_works(self):
        srv = self.start_server(["--db", ":memory:"], db_arg=False)
        item = self.create({"a": 1}, srv=srv)
        self.assert_item_is(item["id"], item, srv=srv)
        srv.stop()

    def test_threads_and_durability_flags_are_accepted(self):
        srv = self.start_server(["--threads", "2", "--durability", "normal"])
        item = self.create({"a": 1}, srv=srv)
        self.assert_item_is(item["id"], item, srv=srv)
        srv.stop()

    def worker_threads(self, srv):
        """The worker thread count crudd logs at start."""
        line = srv.wait_for_log(lambda l: l.startswith("database "))
        self.assertIsNotNone(line, srv.log_text())
        m = re.search(r", (\d+) worker threads?,", line)
        self.assertIsNotNone(m, line)
        return int(m.group(1))

    def test_threads_1_serves_without_a_pool_or_warnings(self):
        srv = self.start_server(["--threads", "1", "--log-level", "debug"])
        self.assertRegex(srv.first_line, LISTENING_RE)
        item = self.create({"a": 1}, srv=srv)
        self.assert_item_is(item["id"], item, srv=srv)
        self.assertEqual(self.worker_threads(srv), 1)
        self.assertNotIn("libmicrohttpd", srv.log_text())

    def test_default_threads_are_the_cores_it_may_run_on(self):
        # one per core in the CPU affinity (taskset, docker --cpuset-cpus),
        # not one per core of the machine
        cpus = sorted(os.sched_getaffinity(0))
        for allowed in ([cpus[0]], cpus[:2]):
            with self.subTest(cpus=allowed):
                srv = self.start_server(wrapper=[
                    "taskset", "-c", ",".join(map(str, allowed))])
                self.assertEqual(self.worker_threads(srv), len(allowed))
                self.assertEqual(
                    self.req("GET", "/_crudd/health", srv=srv).status, 200)
                srv.stop()

    def test_a_database_another_process_has_is_refused_in_words(self):
        srv = self.start_server()
        item = self.create({"a": 1}, srv=srv)
        rc, out, err = run_cli(["--port", "0", "--db", srv.db])
        self.assertEqual(rc, 1, out + err)
        self.assertEqual(
            err.strip(),
            "crudd: %s is in use by another process (crudd keeps its "
            "database to itself while it runs): stop that process, or give "
            "this crudd another --db" % srv.db)
        # the first one goes on serving, and after it the file opens again
        self.assert_item_is(item["id"], item, srv=srv)
        srv.stop()
        again = self.start_server(["--db", srv.db], db_arg=False)
        self.assert_item_is(item["id"], item, srv=again)

    def test_durability_full_is_accepted(self):
        srv = self.start_server(["--durability", "full"])
        item = self.create({"a": 1}, srv=srv)
        self.assert_item_is(item["id"], item, srv=srv)
        srv.stop()

    def test_listening_line_comes_first_at_every_log_level(self):
        for level in ("debug", "info", "warn", "error"):
            with self.subTest(level=level):
                srv = self.start_server(["--log-level", level])
                self.assertRegex(srv.first_line, LISTENING_RE)
                self.assertEqual(
                    self.req("GET", "/_crudd/health", srv=srv).status, 200)
                srv.stop()

    # -- healthcheck -----------------------------------------------------------

    def test_healthcheck_exits_0_when_the_server_is_up(self):
        srv = self.start_server()
        rc, out, err = run_cli(["--healthcheck", "--port", str(srv.port)])
        self.assertEqual(rc, 0, out + err)

    def test_healthcheck_exits_nonzero_when_nothing_listens(self):
        rc, out, err = run_cli(["--healthcheck", "--port", str(free_port())])
        self.assertNotEqual(rc, 0)

    # -- config file, environment and precedence -------------------------------

    def test_config_file_port_and_stage_are_honoured(self):
        port = free_port()
        cfg = self.tmpfile("f.json", json.dumps({"port": port,
                                                 "stage": "beta"}))
        srv = self.start_server(["--config", cfg], port_arg=False)
        self.assertEqual(srv.port, port)
        r = self.req("POST", "/beta/items", {"a": 1}, srv=srv)
        self.assertEqual(r.status, 201, r)
        iid = r.json()["item"]["id"]
        self.assertEqual(self.req("GET", "/beta/items/" + iid,
                                  srv=srv).status, 200)
        self.assert_missing_token(self.req("GET", "/prod/items", srv=srv))

    def test_env_overrides_config_and_flags_override_env(self):
        cfg = self.tmpfile("f.json", json.dumps({"port": 0,
                                                 "stage": "beta"}))
        srv = self.start_server(["--config", cfg],
                                env={"CRUDD_STAGE": "gamma"})
        self.assertEqual(self.req("GET", "/gamma/items", srv=srv).status,
                         200)
        self.assert_missing_token(self.req("GET", "/beta/items", srv=srv))
        srv2 = self.start_server(["--config", cfg, "--stage", "delta"],
                                 env={"CRUDD_STAGE": "gamma"})
        self.assertEqual(self.req("GET", "/delta/items", srv=srv2).status,
                         200)
        self.assert_missing_token(self.req("GET", "/gamma/items", srv=srv2))
        self.assert_missing_token(self.req("GET", "/beta/items", srv=srv2))

    def test_env_config_and_port_are_used(self):
        port = free_port()
        cfg = self.tmpfile("f.json", json.dumps({"stage": "beta"}))
        srv = self.start_server([], port_arg=False,
                                env={"CRUDD_CONFIG": cfg,
                                     "CRUDD_PORT": str(port)})
        self.assertEqual(srv.port, port)
        self.assertEqual(self.req("GET", "/beta/items", srv=srv).status, 200)

    def test_env_port_overrides_config_port_and_flag_overrides_env(self):
        cfg_port, env_port = free_port(), free_port()
        cfg = self.tmpfile("f.json", json.dumps({"port": cfg_port}))
        srv = self.start_server(["--config", cfg], port_arg=False,
                                env={"CRUDD_PORT": str(env_port)})
        self.assertEqual(srv.port, env_port)
        srv.stop()
        srv2 = self.start_server(["--config", cfg, "--port", "0"],
                                 port_arg=False,
                                 env={"CRUDD_PORT": str(env_port)})
        self.assertNotIn(srv2.port, (cfg_port, env_port))

    def test_env_db_is_used(self):
        d = tempfile.mkdtemp(prefix="crudd-envdb-")
        self.addCleanup(lambda: __import__("shutil").rmtree(d, True))
        db = os.path.join(d, "env.db")
        srv = self.start_server([], db_arg=False, env={"CRUDD_DB": db})
        item = self.create({"a": 1}, srv=srv)
        srv.stop()
        self.assertTrue(os.path.exists(db))
        srv2 = self.start_server(["--db", db], db_arg=False)
        self.assert_item_is(item["id"], item, srv=srv2)

    def test_config_that_is_not_json_is_refused_naming_the_file(self):
        cfg = self.tmpfile("broken.json", '{"port": 3000,')
        rc, out, err = run_cli(["--config", cfg, "--port", "0",
                                "--db", ":memory:"], timeout=5)
        self.assertNotEqual(rc, 0)
        self.assertIn(cfg, err)
        self.assertNotIn("listening on", err)

    def test_config_with_unknown_key_is_refused_naming_file_and_key(self):
        cfg = self.tmpfile("unknown.json",
                           json.dumps({"port": 0, "bogus_key": 1}))
        rc, out, err = run_cli(["--config", cfg, "--port", "0",
                                "--db", ":memory:"], timeout=5)
        self.assertNotEqual(rc, 0)
        self.assertIn(cfg, err)
        self.assertIn("bogus_key", err)
        self.assertNotIn("listening on", err)

    def test_config_with_wrong_type_is_refused_naming_file_and_key(self):
        for content in ({"port": "abc"}, {"stage": 7}):
            with self.subTest(config=content):
                cfg = self.tmpfile("wrongtype.json", json.dumps(content))
                rc, out, err = run_cli(["--config", cfg, "--db", ":memory:"],
                                       timeout=5)
                self.assertNotEqual(rc, 0)
                self.assertIn(cfg, err)
                self.assertIn(list(content)[0], err)
                self.assertNotIn("listening on", err)

    def test_missing_config_file_is_refused(self):
        cfg = "/nonexistent/dir/crudd.json"
        rc, out, err = run_cli(["--config", cfg, "--db", ":memory:"],
                               timeout=5)
        self.assertNotEqual(rc, 0)
        self.assertIn(cfg, err)


class CommonMistakesTest(CruddTestCase):
    """Clear answers to the common mistakes: a name for --bind, a port in use
    or not permitted, a missing config file, a database nobody may write."""

    def run_bad(self, args, status=1):
        """The last line crudd writes when it refuses to start (exit 2 for
        a bad configuration, 1 when the machine refuses it)."""
        code, out, err = run_cli(args)
        self.assertEqual(code, status, (code, err))
        return err.strip().splitlines()[-1]

    def test_bind_localhost_resolves(self):
        srv = self.start_server(["--bind", "localhost"])
        self.assertEqual(srv.first_line, "listening on localhost:%d" % srv.port)
        r = srv.request("GET", "/items")
        self.assertEqual(r.status, 200, r)
        srv.stop()

    def test_bind_to_a_name_that_does_not_resolve(self):
        line = self.run_bad(["--bind", "nosuchhost.invalid", "--port", "0",
                             "--db", ":memory:"])
        self.assertTrue(line.startswith(
            'crudd: bind: "nosuchhost.invalid" is not an IPv4 or IPv6 '
            'address, and not a name this machine resolves ('), line)

    def test_port_in_use_says_so(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen()
            port = s.getsockname()[1]
            line = self.run_bad(["--port", str(port), "--db", ":memory:"])
        self.assertEqual(
            line, "crudd: cannot listen on 127.0.0.1:%d: the port is in use "
            "by another process (another crudd? `ss -ltnp` shows which): stop "
            "it, or choose another port with --port" % port)

    def test_an_address_of_another_machine_says_so(self):
        line = self.run_bad(["--bind", "192.0.2.1", "--port", "0",
                             "--db", ":memory:"])
        self.assertEqual(
            line, "crudd: cannot listen on 192.0.2.1:0: 192.0.2.1 is not an "
            "address of this machine; use 127.0.0.1 (this machine only) or "
            "0.0.0.0 (every interface) with --bind")

    def test_missing_config_file_is_no_such_file(self):
        line = self.run_bad(["--config", "/nonexistent/crudd.json"], 2)
        self.assertEqual(line, "crudd: bad configuration: "
                         "/nonexistent/crudd.json: no such file")

    def as_nobody(self):
        """A prefix that runs crudd as an unprivileged user (root passes
        every permission check), or skip."""
        if os.geteuid() != 0:
            return []
        if not shutil.which("setpriv"):
            self.skipTest("running as root and no setpriv to drop to nobody")
        return ["setpriv", "--reuid=65534", "--regid=65534",
                "--clear-groups"]

    def run_as_nobody(self, args):
        # under memcheck, the binary itself: valgrind could not write its
        # log as nobody
        binary = os.environ.get("CRUDD_REAL_BIN", CRUDD_BIN)
        cmd = self.as_nobody() + [binary] + args
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=20,
                           env=clean_env())
        self.assertEqual(p.returncode, 1, p.stderr)
        return p.stderr.strip().splitlines()[-1]

    def test_a_folder_that_is_not_writable_is_refused_at_start(self):
        d = tempfile.mkdtemp(prefix="crudd-ro-")
        self.addCleanup(shutil.rmtree, d, True)
        os.chmod(d, 0o555)
        db = os.path.join(d, "crudd.db")
        line = self.run_as_nobody(["--port", "0", "--db", db])
        self.assertEqual(
            line, "crudd: the folder %s of the database %s is not writable "
            "by this user (Permission denied); crudd creates the database and "
            "its -wal and -shm files there: fix the folder's permissions, or "
            "choose another place with --db" % (d, db))
        self.assertFalse(os.path.exists(db))

    def test_a_database_file_that_is_not_writable_is_refused_at_start(self):
        d = tempfile.mkdtemp(prefix="crudd-rofile-")
        self.addCleanup(shutil.rmtree, d, True)
        os.chmod(d, 0o777)
        db = os.path.join(d, "crudd.db")
        with open(db, "wb"):
            pass
        os.chmod(db, 0o444)
        line = self.run_as_nobody(["--port", "0", "--db", db])
        self.assertEqual(
            line, "crudd: the database %s is not writable by this user "
            "(Permission denied): fix its permissions (chmod u+w %s, or chown "
            "it), or choose another file with --db" % (db, db))


class StartupListingTest(CruddTestCase):
    """After "listening on", start-up says what this crudd serves: the
    config file (or that none was found), each route as a URL with the
    stage, its function, table and authorization, the tables, the DynamoDB
    endpoint for --endpoint-url, and the health, metrics and OpenAPI URLs."""

    def lines_after_listening(self, srv):
        srv.wait_for_log(lambda l: l.startswith("health "))
        return srv.log_lines()

    def test_default_api_without_a_config_file(self):
        lines = self.lines_after_listening(self.srv)
        base = "http://127.0.0.1:%d" % self.srv.port
        self.assertIn("config: none found (no config/crudd.json here, no "
                      "--config): the default API", lines)
        self.assertIn("API crudd (REST API), stage prod: 6 routes (each also "
                      "answers without the stage prefix)", lines)
        self.assertIn("  POST    %s/prod/items  create-item on ItemsTable  "
                      "open" % base, lines)
        self.assertIn("  DELETE  %s/prod/items/{id}  delete-item on "
                      "ItemsTable  open" % base, lines)
        self.assertIn("tables: ItemsTable", lines)
        self.assertIn("DynamoDB API endpoint: %s (aws dynamodb --endpoint-url "
                      "%s ...; SDKs: endpoint_url / AWS_ENDPOINT_URL)"
                      % (base, base), lines)
        self.assertIn("health %s/_crudd/health, metrics %s/metrics, OpenAPI "
                      "%s/openapi.json" % (base, base, base), lines)
        self.assertRegex(self.srv.first_line, LISTENING_RE)

    def test_a_config_file_and_its_protected_routes(self):
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                            "..", "config", "examples", "customers.json")
        srv = self.start_server(["--config", path])
        lines = self.lines_after_listening(srv)
        base = "http://127.0.0.1:%d" % srv.port
        self.assertIn("config: " + path, lines)
        self.assertIn("  POST    %s/prod/createCustomer  create-item on "
                      "CustomersTable  API key" % base, lines)
        self.assertIn("  GET     %s/prod/healthCheck  health  open" % base,
                      lines)
        self.assertIn("tables: CustomersTable", lines)
        srv.stop()


if __name__ == "__main__":
    unittest.main()
