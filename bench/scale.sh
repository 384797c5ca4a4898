#!/usr/bin/env bash
# bench/scale.sh — crudd with 1,000, 100,000 and 1,000,000 items: start time,
# GET latency and throughput, and RSS, per database size.
#
#   make bench                       (runs it after bench/ddb.sh)
#   CRUDD_BIN=./crudd bench/scale.sh
#
# Environment: BENCH_SCALE_MAX (the largest size, default 1000000; 100000
# for a quick run), BENCH_SECONDS (wrk per size, default 5),
# BENCH_CONNECTIONS (default 32), BENCH_STARTS (starts timed per size, the
# median reported, default 9), BENCH_SCALE_ROUNDS (wrk rounds per size,
# the sizes interleaved, the medians reported; default 3).
#
# The databases are made offline, not through the API (1M POSTs would take
# minutes): crudd starts once on a new file to create its schema and
# ItemsTable, then bench/scale_gen inserts item-00000 .. item-(N-1), the
# items bench/load.py posts, in one transaction, as the rows crudd writes
# (key encoding, ETag, size, scan segment). They are cached in build/bench/
# (scale-N.db, remade when schema.sql or scale_gen.c change). Every run
# proves the rows right before it measures: crudd itself POSTs items 0..999
# and a few larger ids into a scratch database, and each generated database
# must hold byte-identical rows for those ids; then the running crudd must
# answer GET /items/{id} and GET /items?limit=5 with the exact bodies.
#
# Per size: crudd is started BENCH_STARTS times and timed by bench/
# scale_start from its exec to the first 200 answer of GET
# /items/item-00000. Then BENCH_SCALE_ROUNDS rounds, each over every size
# in turn (so that a burst of load from elsewhere hits all sizes alike):
# crudd starts, wrk GETs random ids on one connection (a GET's latency:
# the next request is sent when the last answer is in) and then at
# BENCH_CONNECTIONS connections (the load: throughput, and latency that is
# mostly the wait behind the other connections' requests), each after 1 s
# of warm-up, and VmRSS is read after the load. From one wrk run to the
# next the loaded figures swing by 15 % or more (how the connections fall
# to crudd's two threads), so each figure is the median of its rounds
# (RSS: the largest).
# The database file is read before each start (cat > /dev/null), so every
# size starts with it in the OS page cache, as a database in daily use is.
#
# Targets (at the largest size): a GET's latency (p50, one connection)
# within 20 % of the 1k one, RSS under 64 MiB, start under 10 ms. The
# loaded p50's ratio is printed too (info): it also counts the extra CPU a
# GET at 1M items spends (a leaf page read through the OS page cache), which
# on two cores shared with wrk shows as queueing. A benchmark reports; it does not fail the build:
# a missed target is a WARN line and the exit status is still 0. Exit 1 only
# when it cannot run (or the generated rows are not crudd's).
set -euo pipefail

cd "$(dirname "$0")/.."
CRUDD_BIN=${CRUDD_BIN:-$PWD/crudd}
MAX=${BENCH_SCALE_MAX:-1000000}
SECONDS_PER_TEST=${BENCH_SECONDS:-5}
CONNS=${BENCH_CONNECTIONS:-32}
STARTS=${BENCH_STARTS:-9}
ROUNDS=${BENCH_SCALE_ROUNDS:-3}
DIR=build/bench
GEN=$DIR/scale_gen
START=$DIR/scale_start

P50_RATIO_MAX=1.2
RSS_MAX_KIB=$((64 * 1024))
START_MAX_MS=10

for tool in wrk curl sqlite3 python3 sha256sum; do
    if ! command -v "$tool" >/dev/null; then
        echo "bench/scale: $tool is not installed" >&2
        exit 1
    fi
done
if [[ ! -x $CRUDD_BIN ]]; then
    echo "bench/scale: $CRUDD_BIN is not built; run make" >&2
    exit 1
fi

# The helpers, with the Makefile's warning set and -Werror.
WARN="-Wall -Wextra -Wshadow -Wpointer-arith -Wcast-qual -Wstrict-prototypes
      -Wmissing-prototypes -Wformat=2 -Wundef -Wvla -Wnull-dereference
      -Wimplicit-fallthrough -Werror"
mkdir -p "$DIR"
if [[ ! -x $GEN || bench/scale_gen.c -nt $GEN ]]; then
    # shellcheck disable=SC2046,SC2086
    ${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -g $WARN \
        $(pkg-config --cflags sqlite3) -o "$GEN" bench/scale_gen.c \
        $(pkg-config --libs sqlite3)
fi
if [[ ! -x $START || bench/scale_start.c -nt $START ]]; then
    # shellcheck disable=SC2086
    ${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -g $WARN -o "$START" \
        bench/scale_start.c
fi

SIZES=()
for n in 1000 100000 1000000; do
    ((n <= MAX)) && SIZES+=("$n")
done
if ((${#SIZES[@]} == 0)); then
    echo "bench/scale: BENCH_SCALE_MAX=$MAX is below the smallest size, 1000" >&2
    exit 1
fi

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh" # medians (its bench_tmp is not used here)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/crudd-bench-scale.XXXXXX")
CRUDD_PID=
# crudd is started by scale_start, which exits: crudd is not this shell's
# child, so stopping it means waiting until it is gone or a zombie.
stop_crudd() {
    local i state=
    [[ -n $CRUDD_PID ]] || return 0
    kill -TERM "$CRUDD_PID" 2>/dev/null || true
    for ((i = 0; i < 500; i++)); do
        state=$(awk '{ print $3 }' "/proc/$CRUDD_PID/stat" 2>/dev/null) || break
        [[ $state == Z ]] && break
        sleep 0.01
    done
    if [[ $state != Z ]] && kill -0 "$CRUDD_PID" 2>/dev/null; then
        kill -KILL "$CRUDD_PID" 2>/dev/null || true
    fi
    CRUDD_PID=
}
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    stop_crudd
    rm -rf "$TMP"
}
trap cleanup EXIT

# start DB: start crudd on DB (as CRUDD_PID, port PORT); START_MS is the
# time from its exec to the first 200 answer of GET /items/item-00000.
start() {
    local out
    out=$("$START" "$CRUDD_BIN" "$1" "$TMP/crudd.log" /items/item-00000) || {
        echo "bench/scale: crudd did not start on $1:" >&2
        cat "$TMP/crudd.log" >&2
        exit 1
    }
    read -r CRUDD_PID PORT _ START_MS <<<"$out"
}

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$CRUDD_PID/status"; }

# item I: the REST body of generated item I.
item() {
    printf '{"id":"item-%05d","name":"item %d","price":19.99,"qty":%d,"tags":["bench"]}' \
        "$1" "$1" "$1"
}

STAMP=$(cat schema.sql bench/scale_gen.c | sha256sum | cut -c1-16)

# make N: build/bench/scale-N.db, unless the cached one has this STAMP.
make_db() {
    local n=$1 db=$DIR/scale-$1.db t0
    if [[ -f $db && $(cat "$db.stamp" 2>/dev/null) == "$STAMP" ]]; then
        GEN_S=cached
        return 0
    fi
    rm -f "$db" "$db-wal" "$db-shm" "$db.stamp"
    t0=$(date +%s.%N)
    # crudd creates the schema and ItemsTable; it answers GET /items/x 404
    # (not 200) on an empty database, so start it waiting for the health path
    "$START" "$CRUDD_BIN" "$db" "$TMP/crudd.log" /_crudd/health >"$TMP/out" || {
        echo "bench/scale: crudd did not start on $db:" >&2
        cat "$TMP/crudd.log" >&2
        exit 1
    }
    read -r CRUDD_PID _ <"$TMP/out"
    stop_crudd
    "$GEN" "$db" "$n"
    echo "$STAMP" >"$db.stamp"
    GEN_S=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
}

# The reference: what crudd writes for items 0..999 and a few larger ids.
EXTRA=(99999 100000 123456 999999)
"$START" "$CRUDD_BIN" "$TMP/ref.db" "$TMP/crudd.log" /_crudd/health >"$TMP/out"
read -r CRUDD_PID PORT _ <"$TMP/out"
python3 bench/load.py "$PORT" 1000 8
for i in "${EXTRA[@]}"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST \
        -H 'Content-Type: application/json' --data-binary "$(item "$i")" \
        "http://127.0.0.1:$PORT/items")
    [[ $code == 201 ]] || {
        echo "bench/scale: POST item-$i answered $code" >&2
        exit 1
    }
done
stop_crudd

# prove N: the generated rows of the reference's ids equal the reference's
# (every column); says how many do and fails when one does not.
prove() {
    local n=$1 db=$DIR/scale-$1.db want got i
    want=$((n < 1000 ? n : 1000))
    for i in "${EXTRA[@]}"; do
        ((i < n)) && want=$((want + 1))
    done
    got=$(sqlite3 "$db" "ATTACH '$TMP/ref.db' AS ref;
        SELECT count(*) FROM ref.items r
        JOIN ref.tables rt ON rt.id = r.table_id AND rt.name = 'ItemsTable'
        JOIN main.tables gt ON gt.name = 'ItemsTable'
        JOIN main.items g ON g.table_id = gt.id AND g.pk = r.pk AND g.sk = r.sk
        WHERE r.item IS g.item AND r.etag IS g.etag AND r.size IS g.size
          AND r.seg IS g.seg AND r.expires IS g.expires;")
    if [[ $got != "$want" ]]; then
        echo "bench/scale: $db: $got of $want rows are the rows crudd writes" >&2
        return 1
    fi
}

# check N: the running crudd answers a few GETs with the exact bodies.
check() {
    local n=$1 i body want
    for i in 0 $((n / 2)) $((n - 1)); do
        body=$(curl -s "http://127.0.0.1:$PORT/items/item-$(printf %05d "$i")")
        want=$(item "$i")
        if [[ $body != "$want" ]]; then
            echo "bench/scale: GET item $i answered $body, not $want" >&2
            return 1
        fi
    done
    body=$(curl -s "http://127.0.0.1:$PORT/items?limit=5")
    want="{\"items\": [$(item 0), $(item 1), $(item 2), $(item 3), $(item 4)], \"count\": 5, \"nextToken\": \""
    if [[ ${body:0:${#want}} != "$want" ]]; then
        echo "bench/scale: GET /items?limit=5 answered $body" >&2
        return 1
    fi
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

exec_times=()
for ((r = 0; r < STARTS; r++)); do
    exec_times+=("$("$START" --version "$CRUDD_BIN")")
done

declare -A RES
echo "scale: GET /items/{id} of random ids, wrk -t2 -c$CONNS," \
    "${SECONDS_PER_TEST} s per size and round, the median of $ROUNDS rounds," \
    "$(nproc) cores (wrk shares them with the server); start = exec to the" \
    "first 200, median of $STARTS"
declare -A PREP
for n in "${SIZES[@]}"; do
    db=$DIR/scale-$n.db
    make_db "$n"
    if ! prove "$n"; then
        if [[ $GEN_S == cached ]]; then
            echo "bench/scale: regenerating $db" >&2
            rm -f "$db.stamp"
            make_db "$n"
        fi
        prove "$n" || {
            echo "bench/scale: scale_gen does not write what crudd writes;" \
                "fix bench/scale_gen.c" >&2
            exit 1
        }
    fi
    cat "$db" >/dev/null
    times=()
    for ((r = 0; r < STARTS; r++)); do
        start "$db"
        times+=("$START_MS")
        ((r == STARTS - 1)) || stop_crudd
    done
    check "$n" || exit 1
    stop_crudd
    # gen_s db_kib start_median start_min start_max
    db_kib=$(($(stat -c %s "$db") / 1024))
    minmax=$(printf '%s\n' "${times[@]}" | sort -g | sed -n '1p;$p' | xargs)
    PREP[$n]="$GEN_S $db_kib $(median "${times[@]}") $minmax"
done

declare -A RSS
for ((round = 1; round <= ROUNDS; round++)); do
    for n in "${SIZES[@]}"; do
        db=$DIR/scale-$n.db
        cat "$db" >/dev/null
        start "$db"
        ITEMS=$n wrk -t1 -c1 -d1s --timeout 2s \
            -s bench/get_random.lua "http://127.0.0.1:$PORT" >/dev/null
        one=$(ITEMS=$n timeout $((SECONDS_PER_TEST + 15)) wrk -t1 -c1 \
            -d"${SECONDS_PER_TEST}s" --timeout 2s --latency \
            -s bench/get_random.lua "http://127.0.0.1:$PORT") || {
            echo "bench/scale: wrk failed at $n items, one connection:" >&2
            echo "$one" >&2
            exit 1
        }
        ITEMS=$n wrk -t2 -c"$CONNS" -d1s --timeout 2s \
            -s bench/get_random.lua "http://127.0.0.1:$PORT" >/dev/null
        out=$(ITEMS=$n timeout $((SECONDS_PER_TEST + 15)) wrk -t2 -c"$CONNS" \
            -d"${SECONDS_PER_TEST}s" --timeout 2s --latency \
            -s bench/get_random.lua "http://127.0.0.1:$PORT") || {
            echo "bench/scale: wrk failed at $n items:" >&2
            echo "$out" >&2
            exit 1
        }
        rss=$(rss_kib)
        ((rss > ${RSS[$n]:-0})) && RSS[$n]=$rss
        stop_crudd
        # rps p50 p99 non2xx sockerr
        RES[wrk $n $round]=$(grep '^RESULT ' <<<"$out" | cut -d' ' -f2-)
        RES[one $n $round]=$(grep '^RESULT ' <<<"$one" | cut -d' ' -f2-)
    done
done
for n in "${SIZES[@]}"; do
    # gen_s db_kib start_median start_min start_max, rps p50 p99 (the
    # medians of the rounds), non2xx sockerr (summed over them), rss (the
    # largest)
    errors=$(for ((round = 1; round <= ROUNDS; round++)); do
        echo "${RES[wrk $n $round]}"
        echo "${RES[one $n $round]}"
    done | awk '{ a += $4; b += $5 } END { print a + 0, b + 0 }')
    read -r rps p50 p99 _ <<<"$(medians "wrk $n" "$ROUNDS")"
    read -r _ one_p50 one_p99 _ <<<"$(medians "one $n" "$ROUNDS")"
    RES[$n]="${PREP[$n]} $rps $p50 $p99 $errors ${RSS[$n]} $one_p50 $one_p99"
done

printf '\n%9s %8s %8s %22s %11s %11s %9s %8s %8s %8s\n' "" "" "" "" \
    "1 conn" "1 conn" "$CONNS conns" "$CONNS conns" "$CONNS conns" ""
printf '%9s %8s %8s %22s %11s %11s %9s %8s %8s %8s\n' items "db MiB" "gen s" \
    "start ms (min-max)" "p50 ms" "p99 ms" "req/s" "p50 ms" "p99 ms" \
    "RSS MiB"
for n in "${SIZES[@]}"; do
    # shellcheck disable=SC2086
    set -- ${RES[$n]}
    awk -v n="$n" -v g="$1" -v d="$2" -v sm="$3" -v s0="$4" -v s1="$5" \
        -v r="$6" -v a="$7" -v b="$8" -v k="${11}" -v o="${12}" \
        -v q="${13}" 'BEGIN {
        printf "%9d %8.1f %8s %9.2f (%.2f-%.2f) %11.3f %11.3f %9.0f %8.3f" \
            " %8.3f %8.1f\n", n, d / 1024, g, sm, s0, s1, o / 1000, q / 1000,
            r, a / 1000, b / 1000, k / 1024 }'
done
echo "(gen s: the time to make the database, \"cached\" when it was in $DIR)"
echo

first=${SIZES[0]} last=${SIZES[-1]}
read -r _ _ _ _ _ rps_first p50_first _ _ _ _ one_first _ <<<"${RES[$first]}"
read -r _ _ start_last _ _ rps_last p50_last _ _ _ rss_last one_last _ \
    <<<"${RES[$last]}"
verdict() {
    local v=$1
    shift
    if [[ $v == ok ]]; then echo "PASS: $*"; else echo "WARN: $*"; fi
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
r=$(ratio "$one_last" "$one_first")
awk -v r="$r" -v m="$P50_RATIO_MAX" 'BEGIN { exit !(r <= m) }' &&
    v=ok || v=miss
verdict "$v" "a GET's latency (p50, one connection) at $last items is ${r}x" \
    "that at $first items (target <= ${P50_RATIO_MAX}x)"
echo "info: at $CONNS connections, p50 at $last items is" \
    "$(ratio "$p50_last" "$p50_first")x that at $first items and req/s" \
    "$(ratio "$rps_last" "$rps_first")x: there a GET also waits behind the" \
    "others, and at $last items each one reads a 4 KiB leaf page that" \
    "SQLite's cache cannot hold from the OS page cache"
((rss_last < RSS_MAX_KIB)) && v=ok || v=miss
verdict "$v" "RSS after the GET load at $last items is" \
    "$(awk -v k="$rss_last" 'BEGIN { printf "%.1f", k / 1024 }') MiB" \
    "(target < $((RSS_MAX_KIB / 1024)) MiB)"
awk -v s="$start_last" -v m="$START_MAX_MS" 'BEGIN { exit !(s < m) }' &&
    v=ok || v=miss
verdict "$v" "start to the first answered GET at $last items takes" \
    "${start_last} ms (median of $STARTS; target < $START_MAX_MS ms)"
echo "info: crudd --version, from its exec to its exit, takes" \
    "$(median "${exec_times[@]}") ms (median of $STARTS): the share of every" \
    "start that is process creation and library loading on this machine"
for n in "${SIZES[@]}"; do
    read -r _ _ _ _ _ _ _ _ non2xx sockerr _ <<<"${RES[$n]}"
    if ((non2xx + sockerr > 0)); then
        echo "WARN: $n items: $non2xx non-2xx answers, $sockerr socket errors"
    fi
done
exit 0
