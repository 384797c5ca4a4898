#!/usr/bin/env bash
# bench/ddb.sh — wrk load through the DynamoDB wire API (GetItem, PutItem) on
# loopback against crudd and against dynalite, the npm DynamoDB emulator
# (in memory), the peer; prints both and the ratio crudd/dynalite.
#
#   make bench                       (runs it after bench/run.sh)
#   CRUDD_BIN=./crudd bench/ddb.sh
#
# Environment: BENCH_SECONDS (per test, default 5), BENCH_ITEMS (default
# 10000), BENCH_CONNECTIONS (default 32), BENCH_ROUNDS (GetItem: the
# median of that many rounds, default 3), BENCH_DURABILITY (crudd's
# --durability, default full; dynalite keeps nothing on disk at all),
# BENCH_PIN (default 1: wrk on its own core(s), crudd and dynalite on the
# others, see bench_cpus in bench/lib.sh; 0: all on every core).
#
# dynalite is pinned in bench/ddb/package.json and installed with `npm ci`
# into bench/ddb/node_modules when it is not there.
#
# A benchmark reports; it does not fail the build: a missed target is a WARN
# line and the exit status is still 0. Exit 1 only when it cannot run.
set -euo pipefail

cd "$(dirname "$0")/.."
CRUDD_BIN=${CRUDD_BIN:-$PWD/crudd}
SECONDS_PER_TEST=${BENCH_SECONDS:-5}
ITEMS=${BENCH_ITEMS:-10000}
CONNS=${BENCH_CONNECTIONS:-32}
ROUNDS=${BENCH_ROUNDS:-3}
DURABILITY=${BENCH_DURABILITY:-full}
DDB_DIR=bench/ddb
DYNALITE=$DDB_DIR/node_modules/dynalite/cli.js

# Target: crudd's GetItem at least this many times dynalite's req/s.
GET_RATIO_MIN=5

for tool in wrk node npm python3 curl; do
    if ! command -v "$tool" >/dev/null; then
        echo "bench/ddb: $tool is not installed" >&2
        exit 1
    fi
done
if [[ ! -x $CRUDD_BIN ]]; then
    echo "bench/ddb: $CRUDD_BIN is not built; run make" >&2
    exit 1
fi
# npm ci writes node_modules/.package-lock.json; an older one than the lock
# means the pin moved since the install.
if [[ ! -f $DYNALITE ||
    $DDB_DIR/package-lock.json -nt $DDB_DIR/node_modules/.package-lock.json ]]; then
    echo "bench/ddb: installing dynalite (npm ci in $DDB_DIR)"
    (cd "$DDB_DIR" && timeout 120 npm ci --no-audit --no-fund \
        --loglevel=error) >&2 || {
        echo "bench/ddb: npm ci failed" >&2
        exit 1
    }
fi

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_tmp crudd-bench-ddb
bench_cpus


AUTH="AWS4-HMAC-SHA256 Credential=bench/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=$(printf '0%.0s' {1..64})"
# ddb PORT OPERATION JSON: one DynamoDB call; prints the body, fails on non-2xx.
ddb() {
    curl -sS --fail-with-body --max-time 5 -X POST "http://127.0.0.1:$1/" \
        -H "X-Amz-Target: DynamoDB_20120810.$2" \
        -H "Content-Type: application/x-amz-json-1.0" \
        -H "Authorization: $AUTH" -H "X-Amz-Date: 20240101T000000Z" \
        --data-binary "$3"
}

# wait_line LOG PID SED_SCRIPT: until the server's log has a line SED_SCRIPT
# prints (5 s max); prints it.
wait_line() {
    local i out
    for ((i = 0; i < 100; i++)); do
        out=$(sed -n "$3" "$1")
        if [[ -n $out ]]; then
            echo "$out"
            return 0
        fi
        kill -0 "$2" 2>/dev/null || break
        sleep 0.05
    done
    return 1
}

# crudd: a port of its own choosing, which it names on its first stderr line
# (also at warn level); it has ItemsTable from the start.
"${SERVER_ON[@]}" "$CRUDD_BIN" --bind 127.0.0.1 --port 0 \
    --db "$TMP/crudd.db" --log-level warn --durability "$DURABILITY" \
    2>"$TMP/crudd.log" &
CRUDD_PID=$!
PIDS+=("$CRUDD_PID")
CRUDD_PORT=$(wait_line "$TMP/crudd.log" "$CRUDD_PID" \
    '1s/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p') || {
    echo "bench/ddb: crudd did not start:" >&2
    cat "$TMP/crudd.log" >&2
    exit 1
}

# dynalite: in memory (no --path); its CLI takes --port 0 for its default
# 4567, so the port is chosen here. Tables go ACTIVE at once.
DYNALITE_PORT=$(free_port)
"${SERVER_ON[@]}" node "$DYNALITE" --host 127.0.0.1 --port "$DYNALITE_PORT" \
    --createTableMs 0 >"$TMP/dynalite.log" 2>&1 &
DYNALITE_PID=$!
PIDS+=("$DYNALITE_PID")
wait_line "$TMP/dynalite.log" "$DYNALITE_PID" \
    "/^Dynalite listening at: http:\/\/127\.0\.0\.1:$DYNALITE_PORT$/p" \
    >/dev/null || {
    echo "bench/ddb: dynalite did not start:" >&2
    cat "$TMP/dynalite.log" >&2
    exit 1
}
ddb "$DYNALITE_PORT" CreateTable '{"TableName":"ItemsTable",
    "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
    "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
    "BillingMode":"PAY_PER_REQUEST"}' >/dev/null
for ((i = 0; i < 100; i++)); do
    ddb "$DYNALITE_PORT" DescribeTable '{"TableName":"ItemsTable"}' |
        grep -q '"TableStatus":"ACTIVE"' && break
    sleep 0.05
done

for target in crudd dynalite; do
    port=CRUDD_PORT
    [[ $target == dynalite ]] && port=DYNALITE_PORT
    start=$(date +%s.%N)
    python3 $DDB_DIR/load.py "${!port}" "$ITEMS" 8
    printf 'loaded %d items into %s with BatchWriteItem in %.1f s\n' \
        "$ITEMS" "$target" "$(echo "$(date +%s.%N) - $start" | bc)"
done

# Both must answer a GetItem with the same item, or the comparison is unfair.
key='{"TableName":"ItemsTable","Key":{"id":{"S":"item-00042"}}}'
same=$(python3 -c 'import json, sys
a, b = (json.loads(s) for s in sys.argv[1:])
print("yes" if a == b and "Item" in a else "no")' \
    "$(ddb "$CRUDD_PORT" GetItem "$key")" \
    "$(ddb "$DYNALITE_PORT" GetItem "$key")")
if [[ $same != yes ]]; then
    echo "WARN: crudd and dynalite answer GetItem item-00042 differently:" >&2
    echo "  crudd:    $(ddb "$CRUDD_PORT" GetItem "$key")" >&2
    echo "  dynalite: $(ddb "$DYNALITE_PORT" GetItem "$key")" >&2
fi

# run NAME PORT SCRIPT [SECONDS]: one wrk run; its RESULT line
# (req/s p50_us p99_us non2xx socket_errors) goes into RES[NAME].
declare -A RES
run() {
    local out
    out=$(ITEMS=$ITEMS timeout $((${4:-$SECONDS_PER_TEST} + 15)) \
        "${WRK_ON[@]}" wrk -t"$WRK_THREADS" -c"$CONNS" \
        -d"${4:-$SECONDS_PER_TEST}s" --timeout 2s \
        --latency -s "bench/$3" "http://127.0.0.1:$2") || {
        echo "bench/ddb: wrk failed for $1:" >&2
        echo "$out" >&2
        return 1
    }
    RES[$1]=$(grep '^RESULT ' <<<"$out" | cut -d' ' -f2-)
}

echo "wrk on 127.0.0.1, ${SECONDS_PER_TEST} s per test (GetItem: the median of" \
    "$ROUNDS), $CONNS connections; $CPU_SPLIT;" \
    "crudd --durability $DURABILITY, dynalite in memory"
port_of() { [[ $1 == dynalite ]] && echo "$DYNALITE_PORT" || echo "$CRUDD_PORT"; }
for target in crudd dynalite; do
    run warmup "$(port_of $target)" ddb_get.lua 1
done
# GetItem swings by 15 % or more from one wrk run to the next (how its
# connections fall to crudd's threads): ROUNDS rounds, crudd and dynalite
# interleaved, and the median of each.
for ((round = 1; round <= ROUNDS; round++)); do
    for target in crudd dynalite; do
        run "$target GetItem $round" "$(port_of $target)" ddb_get.lua
    done
done
for target in crudd dynalite; do
    RES[$target GetItem]=$(medians "$target GetItem" "$ROUNDS")
    run "$target PutItem" "$(port_of $target)" ddb_put.lua
done

ratio() {
    local c f
    read -r c _ <<<"${RES[crudd $1]}"
    read -r f _ <<<"${RES[dynalite $1]}"
    awk -v c="$c" -v f="$f" 'BEGIN { printf "%.2f", (f > 0 ? c / f : 0) }'
}

printf '\n%-9s %-8s %10s %9s %9s %8s %7s\n' target test "req/s" "p50 ms" \
    "p99 ms" "non-2xx" errors
for test in GetItem PutItem; do
    for target in crudd dynalite; do
        read -r rps p50 p99 status sock <<<"${RES[$target $test]}"
        awk -v t="$target" -v n="$test" -v r="$rps" -v a="$p50" -v b="$p99" \
            -v s="$status" -v e="$sock" 'BEGIN {
                printf "%-9s %-8s %10.0f %9.3f %9.3f %8d %7d\n",
                    t, n, r, a / 1000, b / 1000, s, e }'
    done
    printf '%-9s %-8s %9sx\n' ratio "$test" "$(ratio "$test")"
done
echo

r=$(ratio GetItem)
if awk -v a="$r" -v b="$GET_RATIO_MIN" 'BEGIN { exit !(a >= b) }'; then
    echo "PASS: crudd GetItem is ${r}x dynalite (target >= ${GET_RATIO_MIN}x)"
else
    echo "WARN: crudd GetItem is ${r}x dynalite (target >= ${GET_RATIO_MIN}x)"
fi
echo "info: crudd PutItem is $(ratio PutItem)x dynalite (no target)"
for key in "${!RES[@]}"; do
    [[ $key == warmup ]] && continue
    read -r _ _ _ status sock <<<"${RES[$key]}"
    if ((status + sock > 0)); then
        echo "WARN: $key: $status non-2xx answers, $sock socket errors"
    fi
done
exit 0
