#!/usr/bin/env bash
# Run the Postman collection against a fresh crudd with newman.
#
#   CRUDD_BIN=/path/to/crudd tests/postman/run.sh
#
# Starts crudd on a free port (--port 0) with a fresh database, reads the port
# from its first stderr line ("listening on ADDRESS:PORT"), runs the
# collection with baseUrl pointing there, stops crudd with SIGTERM and exits
# with newman's status (or non-zero if crudd did not stop cleanly).
set -u

here="$(cd "$(dirname "$0")" && pwd)"
bin="${CRUDD_BIN:-$here/../../crudd}"

if [ ! -x "$bin" ]; then
    echo "run.sh: crudd binary not found at $bin" >&2
    exit 2
fi

if [ ! -x "$here/node_modules/.bin/newman" ]; then
    if [ -f "$here/package-lock.json" ]; then
        (cd "$here" && npm ci --no-audit --no-fund) >&2 || exit 2
    else
        (cd "$here" && npm install --no-audit --no-fund) >&2 || exit 2
    fi
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/crudd-postman.XXXXXX")"
pid=""
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# A fresh working directory too, so no config/crudd.json is picked up.
(cd "$tmp" && exec env -u CRUDD_CONFIG -u CRUDD_PORT -u CRUDD_BIND \
    -u CRUDD_DB -u CRUDD_STAGE -u CRUDD_LOG_LEVEL \
    "$bin" --port 0 --db "$tmp/crudd.db") 2>"$tmp/stderr.log" &
pid=$!

first=""
for _ in $(seq 1 100); do                       # at most 10 s
    first="$(head -n 1 "$tmp/stderr.log" 2>/dev/null)"
    case "$first" in
        "listening on "*) break ;;
    esac
    if ! kill -0 "$pid" 2>/dev/null; then
        break
    fi
    sleep 0.1
done

case "$first" in
    "listening on "*:*) ;;
    *)
        echo "run.sh: crudd did not report 'listening on ADDRESS:PORT'" >&2
        cat "$tmp/stderr.log" >&2
        exit 2
        ;;
esac
port="${first##*:}"
echo "run.sh: crudd (pid $pid) $first" >&2

"$here/node_modules/.bin/newman" run "$here/crudd.postman_collection.json" \
    --env-var "baseUrl=http://127.0.0.1:$port" --color off
status=$?

kill -TERM "$pid"
rc=""
for _ in $(seq 1 50); do                        # at most 5 s
    if ! kill -0 "$pid" 2>/dev/null; then
        wait "$pid"
        rc=$?
        break
    fi
    sleep 0.1
done
if [ -z "$rc" ]; then
    echo "run.sh: crudd did not exit within 5 s of SIGTERM" >&2
    exit 1
fi
pid=""
if [ "$rc" -ne 0 ]; then
    echo "run.sh: crudd exited $rc after SIGTERM" >&2
    [ "$status" -eq 0 ] && status=1
fi
exit "$status"
