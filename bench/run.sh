#!/usr/bin/env bash
# bench/run.sh — wrk load on loopback against crudd and against bench/floor,
# the least a libmicrohttpd + SQLite server can do for the same requests.
#
#   make bench                       (sets CRUDD_BIN)
#   CRUDD_BIN=./crudd bench/run.sh
#
# Environment: BENCH_SECONDS (per test, default 5), BENCH_ITEMS (default
# 10000), BENCH_PERF (auto: profile crudd's 32-connection GET with perf when
# it is below the target; 1 always; 0 never), BENCH_WRITE_THREADS (default
# 32: the --threads of the group commit runs, see below), BENCH_GC_ROUNDS
# (default 3), BENCH_GET_ROUNDS (default 3: GET at 32 connections, the
# median of that many rounds), BENCH_PIN (default 1: wrk and the servers
# on separate cores, see bench_cpus in bench/lib.sh; 0: all on every core).
#
# Group commit: POST /items at 32 connections against crudd with group
# commit on and against crudd with --group-commit off (one transaction per
# write, the baseline), each on a fresh database, in the same run. Twice:
# at crudd's default --threads (one per core), where a request holds its
# worker thread while its write waits, so at most that many writes can
# share a commit; and at BENCH_WRITE_THREADS, where all 32 can.
#
# A benchmark reports; it does not fail the build: a missed target is a WARN
# line and the exit status is still 0. Exit 1 only when it cannot run.
set -euo pipefail

cd "$(dirname "$0")/.."
CRUDD_BIN=${CRUDD_BIN:-$PWD/crudd}
SECONDS_PER_TEST=${BENCH_SECONDS:-5}
ITEMS=${BENCH_ITEMS:-10000}
PERF=${BENCH_PERF:-auto}
FLOOR_BIN=bench/floor

# Targets: crudd's GET at least this share of the floor's req/s, and its p99
# at 32 connections at most this many microseconds.
GET_RATIO_MIN=0.8
P99_MAX_US=1500
# Targets: group commit's POST at 32 connections against the baseline.
GC_RATIO_MIN=1.8
GC_RPS_MIN=12000
GC_P99_MAX_US=10000
WRITE_THREADS=${BENCH_WRITE_THREADS:-32}
GC_ROUNDS=${BENCH_GC_ROUNDS:-3}
GET_ROUNDS=${BENCH_GET_ROUNDS:-3}

if ! command -v wrk >/dev/null; then
    echo "bench: wrk is not installed; install it with: apt-get install -y wrk" >&2
    exit 1
fi
if [[ ! -x $CRUDD_BIN ]]; then
    echo "bench: $CRUDD_BIN is not built; run make" >&2
    exit 1
fi

# The floor, with the Makefile's warning set and -Werror.
PKGS="libmicrohttpd sqlite3 uuid"
WARN="-Wall -Wextra -Wshadow -Wpointer-arith -Wcast-qual -Wstrict-prototypes
      -Wmissing-prototypes -Wformat=2 -Wundef -Wvla -Wnull-dereference
      -Wimplicit-fallthrough -Werror"
if [[ ! -x $FLOOR_BIN || bench/floor.c -nt $FLOOR_BIN ]]; then
    # shellcheck disable=SC2046,SC2086
    ${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -g $WARN \
        $(pkg-config --cflags $PKGS) -o "$FLOOR_BIN" bench/floor.c \
        $(pkg-config --libs $PKGS) -lpthread
fi

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_tmp crudd-bench
bench_cpus


# wait_http PORT PATH: until the server answers anything on PATH (5 s max).
wait_http() {
    local i
    for ((i = 0; i < 100; i++)); do
        if curl -s -o /dev/null "http://127.0.0.1:$1$2"; then
            return 0
        fi
        sleep 0.05
    done
    echo "bench: nothing answers on 127.0.0.1:$1" >&2
    return 1
}

# crudd prints "listening on" at info level only, and at info level it also
# writes an access-log line per request; so it runs at warn on a port chosen
# here, and readiness is its health path answering.
# start_crudd NAME [FLAGS...]: start crudd on a fresh database ($TMP/NAME.db);
# its port goes into PORT_OF[NAME], its pid into PID_OF[NAME].
declare -A PORT_OF PID_OF
start_crudd() {
    local name=$1 port
    shift
    port=$(free_port)
    "${SERVER_ON[@]}" "$CRUDD_BIN" --bind 127.0.0.1 --port "$port" \
        --db "$TMP/$name.db" \
        --log-level warn --durability full "$@" 2>"$TMP/$name.log" &
    PID_OF[$name]=$!
    PIDS+=("$!")
    PORT_OF[$name]=$port
    wait_http "$port" /_crudd/health
}
stop_crudd() {
    kill -TERM "${PID_OF[$1]}" 2>/dev/null || true
    wait "${PID_OF[$1]}" 2>/dev/null || true
}

start_crudd crudd
CRUDD_PORT=${PORT_OF[crudd]}
CRUDD_PID=${PID_OF[crudd]}

"${SERVER_ON[@]}" "$FLOOR_BIN" --port 0 --db "$TMP/floor.db" --seed "$ITEMS" \
    2>"$TMP/floor.log" &
FLOOR_PID=$!
PIDS+=("$FLOOR_PID")
FLOOR_PORT=
for ((i = 0; i < 100; i++)); do
    FLOOR_PORT=$(sed -n '1s/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' \
        "$TMP/floor.log")
    [[ -n $FLOOR_PORT ]] && break
    kill -0 "$FLOOR_PID" 2>/dev/null || break
    sleep 0.05
done
if [[ -z $FLOOR_PORT ]]; then
    echo "bench: the floor did not start:" >&2
    cat "$TMP/floor.log" >&2
    exit 1
fi

start=$(date +%s.%N)
python3 bench/load.py "$CRUDD_PORT" "$ITEMS" 8
printf 'loaded %d items into crudd in %.1f s (floor seeded at start)\n' \
    "$ITEMS" "$(echo "$(date +%s.%N) - $start" | bc)"

# Both must answer a GET with the same item, or the comparison is unfair.
a=$(curl -s "http://127.0.0.1:$CRUDD_PORT/items/item-00042")
b=$(curl -s "http://127.0.0.1:$FLOOR_PORT/items/item-00042")
if [[ $a != "$b" ]]; then
    echo "WARN: crudd and the floor answer item-00042 differently:" >&2
    echo "  crudd: $a" >&2
    echo "  floor: $b" >&2
fi

# run NAME PORT SCRIPT CONNECTIONS [SECONDS]: one wrk run; its RESULT line
# (req/s p50_us p99_us non2xx socket_errors) goes into RES[NAME].
declare -A RES
run() {
    local threads=$WRK_THREADS out
    ((${4} == 1)) && threads=1
    out=$(ITEMS=$ITEMS "${WRK_ON[@]}" wrk -t"$threads" -c"$4" \
        -d"${5:-$SECONDS_PER_TEST}s" \
        --timeout 2s --latency -s "bench/$3" "http://127.0.0.1:$2") || {
        echo "bench: wrk failed for $1:" >&2
        echo "$out" >&2
        return 1
    }
    RES[$1]=$(grep '^RESULT ' <<<"$out" | cut -d' ' -f2-)
}

echo "wrk on 127.0.0.1, ${SECONDS_PER_TEST} s per test (get c32: the median of" \
    "$GET_ROUNDS); $CPU_SPLIT"
port_of() { [[ $1 == floor ]] && echo "$FLOOR_PORT" || echo "$CRUDD_PORT"; }
for target in crudd floor; do
    run warmup "$(port_of $target)" get_random.lua 32 1
    run "$target get c1" "$(port_of $target)" get_random.lua 1
done
# GET at 32 connections swings by 15 % or more from one wrk run to the next
# (how its connections fall to the server's threads): GET_ROUNDS rounds,
# crudd and floor interleaved, and the median of each.
for ((round = 1; round <= GET_ROUNDS; round++)); do
    for target in crudd floor; do
        run "$target get c32 $round" "$(port_of $target)" get_random.lua 32
    done
done
for target in crudd floor; do
    run "$target post c32" "$(port_of $target)" post.lua 32
done

# Group commit against its baseline: fresh servers, one at a time, so that
# they do not share the cores or the disk; GC_ROUNDS rounds of baseline then
# group commit, interleaved, so that a burst of load from elsewhere on the
# machine hits both alike; each figure is the median of its rounds.
# These runs put wrk and crudd on every core (as BENCH_PIN=0 does): a write
# waits for its fsync, not for the CPU, and its request passes through three
# of crudd's threads (HTTP, write pool, commit), which on one core queue
# behind each other; on a split 2-core machine group commit fell from
# 12-13k to 9.7k writes/s. The comparison is crudd with itself, either way.
GC_CONFIGS=("default threads|" "$WRITE_THREADS threads|--threads $WRITE_THREADS")
SPLIT_WRK_ON=("${WRK_ON[@]}")
SPLIT_SERVER_ON=("${SERVER_ON[@]}")
SPLIT_WRK_THREADS=$WRK_THREADS
WRK_ON=()
SERVER_ON=()
WRK_THREADS=2
for cfg in "${GC_CONFIGS[@]}"; do
    label=${cfg%%|*}
    # shellcheck disable=SC2206  # the flags split on purpose
    flags=(${cfg#*|})
    for ((round = 1; round <= GC_ROUNDS; round++)); do
        for mode in off on; do
            name=gc-$mode-$round
            start_crudd "$name" --group-commit "$mode" "${flags[@]}"
            run warmup "${PORT_OF[$name]}" post.lua 32 1
            run "gc $mode $label $round" "${PORT_OF[$name]}" post.lua 32
            stop_crudd "$name"
            rm -f "$TMP/$name.db" "$TMP/$name.db-wal" "$TMP/$name.db-shm"
        done
    done
done
WRK_ON=("${SPLIT_WRK_ON[@]}")
SERVER_ON=("${SPLIT_SERVER_ON[@]}")
WRK_THREADS=$SPLIT_WRK_THREADS

for target in crudd floor; do
    RES[$target get c32]=$(medians "$target get c32" "$GET_ROUNDS")
done

# perf: crudd's GET at 32 connections, once more, with crudd sampled.
get_ratio() {
    local c f
    read -r c _ <<<"${RES[crudd get $1]}"
    read -r f _ <<<"${RES[floor get $1]}"
    awk -v c="$c" -v f="$f" 'BEGIN { printf "%.2f", (f > 0 ? c / f : 0) }'
}
below() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

want_perf=0
case $PERF in
1) want_perf=1 ;;
auto) below "$(get_ratio c32)" "$GET_RATIO_MIN" && want_perf=1 ;;
esac
if ((want_perf)) && ! command -v perf >/dev/null; then
    echo "bench: perf is not installed (apt-get install -y linux-perf);" \
        "no profile" >&2
    want_perf=0
fi

printf '\n%-6s %-10s %10s %9s %9s %8s %7s\n' target test "req/s" "p50 ms" \
    "p99 ms" "non-2xx" errors
for test in "get c1" "get c32" "post c32"; do
    for target in crudd floor; do
        read -r rps p50 p99 status sock <<<"${RES[$target $test]}"
        awk -v t="$target" -v n="$test" -v r="$rps" -v a="$p50" -v b="$p99" \
            -v s="$status" -v e="$sock" 'BEGIN {
                printf "%-6s %-10s %10.0f %9.3f %9.3f %8d %7d\n",
                    t, n, r, a / 1000, b / 1000, s, e }'
    done
    read -r c _ <<<"${RES[crudd $test]}"
    read -r f _ <<<"${RES[floor $test]}"
    awk -v n="$test" -v c="$c" -v f="$f" \
        'BEGIN { printf "%-6s %-10s %9.2fx\n", "ratio", n, (f > 0 ? c / f : 0) }'
done
echo

# verdict ok|miss WORDS...
verdict() {
    local v=$1
    shift
    if [[ $v == ok ]]; then echo "PASS: $*"; else echo "WARN: $*"; fi
}
for c in c1 c32; do
    r=$(get_ratio "$c")
    below "$r" "$GET_RATIO_MIN" && v=miss || v=ok
    verdict "$v" "crudd GET at ${c#c} connection(s) is ${r}x the floor" \
        "(target >= ${GET_RATIO_MIN}x)"
done
read -r _ _ p99 _ <<<"${RES[crudd get c32]}"
((p99 <= P99_MAX_US)) && v=ok || v=miss
verdict "$v" "crudd GET p99 at 32 connections is" \
    "$(awk -v p="$p99" 'BEGIN { printf "%.3f", p / 1000 }') ms" \
    "(target <= $(awk -v p="$P99_MAX_US" 'BEGIN { print p / 1000 }') ms)"

echo
echo "POST /items at 32 connections, group commit against one transaction" \
    "per write; medians of $GC_ROUNDS rounds, each on a fresh database;" \
    "wrk and crudd on every core:"
printf '%-46s %10s %9s %9s %8s %7s\n' "" "writes/s" "p50 ms" "p99 ms" \
    "non-2xx" errors
declare -A GC
for cfg in "${GC_CONFIGS[@]}"; do
    label=${cfg%%|*}
    for mode in off on; do
        GC[$mode $label]=$(medians "gc $mode $label" "$GC_ROUNDS")
        read -r rps p50 p99 status sock <<<"${GC[$mode $label]}"
        name="group commit on, $label"
        [[ $mode == off ]] && name="baseline (group commit off), $label"
        awk -v t="$name" -v r="$rps" -v a="$p50" -v b="$p99" -v s="$status" \
            -v e="$sock" 'BEGIN {
                printf "%-46s %10.0f %9.3f %9.3f %8d %7d\n",
                    t, r, a / 1000, b / 1000, s, e }'
    done
done
for cfg in "${GC_CONFIGS[@]}"; do
    label=${cfg%%|*}
    read -r on_rps _ on_p99 _ <<<"${GC[on $label]}"
    read -r off_rps _ <<<"${GC[off $label]}"
    ratio=$(awk -v a="$on_rps" -v b="$off_rps" \
        'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    v=ok
    below "$ratio" "$GC_RATIO_MIN" && v=miss
    below "$on_rps" "$GC_RPS_MIN" && v=miss
    ((on_p99 > GC_P99_MAX_US)) && v=miss
    verdict "$v" "group commit ($label): $(printf '%.0f' "$on_rps")" \
        "writes/s, baseline $(printf '%.0f' "$off_rps") writes/s," \
        "ratio ${ratio}x, p99 $(awk -v p="$on_p99" \
            'BEGIN { printf "%.3f", p / 1000 }') ms" \
        "(target >= ${GC_RATIO_MIN}x, >= ${GC_RPS_MIN}/s," \
        "p99 <= $(awk -v p="$GC_P99_MAX_US" 'BEGIN { print p / 1000 }') ms)"
done
for key in "${!RES[@]}"; do
    [[ $key == warmup ]] && continue
    read -r _ _ _ status sock <<<"${RES[$key]}"
    if ((status + sock > 0)); then
        echo "WARN: $key: $status non-2xx answers, $sock socket errors"
    fi
done

if ((want_perf)); then
    echo
    echo "perf: crudd during ${SECONDS_PER_TEST} s of GET at 32 connections," \
        "top 15 symbols by self time:"
    perf record -q -F 999 -g -p "$CRUDD_PID" -o "$TMP/perf.data" \
        -- sleep "$SECONDS_PER_TEST" >/dev/null 2>&1 &
    perf_pid=$!
    run perf "$CRUDD_PORT" get_random.lua 32
    if wait "$perf_pid"; then
        perf report -i "$TMP/perf.data" --no-children --sort dso,symbol \
            --stdio -g none 2>/dev/null |
            awk '/^ *[0-9.]+%/ && n++ < 15 {
                     printf "  %7s  %-24s %s\n", $1, $2, $4 }'
        echo "  (full report: perf record -g -p \$(pidof crudd) during load," \
            "then perf report --no-children)"
    else
        echo "  perf record failed (perf_event_paranoid? try as root)"
    fi
fi
exit 0
