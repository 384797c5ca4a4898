# bench/lib.sh — what the bench scripts share; source it, then call
# bench_tmp NAME once. Servers a script starts go into PIDS: the EXIT trap
# stops them (SIGTERM, then waits) and removes $TMP.

# A fresh temp dir in TMP and the EXIT trap that cleans up after the script.
bench_tmp() {
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    PIDS=()
    trap bench_cleanup EXIT
}

# shellcheck disable=SC2317  # invoked by the EXIT trap
bench_cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$TMP"
}

# A TCP port free on 127.0.0.1 right now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# medians NAME ROUNDS: the medians over RES[NAME 1..ROUNDS] (the caller's
# associative array of wrk RESULT lines) of each RESULT field.
medians() {
    local r
    for ((r = 1; r <= $2; r++)); do
        echo "${RES[$1 $r]}"
    done | awk '{ for (i = 1; i <= NF; i++) v[i, NR] = $i }
        END {
            for (i = 1; i <= 5; i++) {
                n = 0
                for (r = 1; r <= NR; r++) a[++n] = v[i, r]
                for (x = 1; x <= n; x++)        # insertion sort: n is small
                    for (y = x; y > 1 && a[y - 1] > a[y]; y--) {
                        t = a[y]; a[y] = a[y - 1]; a[y - 1] = t }
                printf "%s%s", (i > 1 ? " " : ""), a[int((n + 1) / 2)]
            }
            print ""
        }'
}

# bench_cpus: split the cores this script may run on between the load
# generator and the servers, so that neither time-shares a core with the
# other. On a shared core every response a server sends wakes wrk, which
# preempts the server (perf: a quarter of crudd's samples were that
# switch), and the figures measure the scheduler more than the server.
# wrk gets the lowest quarter of the cores (at least one), the servers the
# rest. Sets WRK_ON and SERVER_ON (command prefixes, taskset; empty when
# not split), WRK_THREADS (wrk's -t for many connections) and CPU_SPLIT (a
# phrase for the header line). BENCH_PIN=0, or a single core, leaves every
# process on every core, wrk with 2 threads.
# shellcheck disable=SC2034  # the caller reads what it sets
bench_cpus() {
    local cpus n k
    read -ra cpus < <(python3 -c \
        'import os; print(*sorted(os.sched_getaffinity(0)))')
    n=${#cpus[@]}
    if [[ ${BENCH_PIN:-1} == 0 ]] || ((n < 2)) ||
        ! command -v taskset >/dev/null; then
        WRK_ON=()
        SERVER_ON=()
        WRK_THREADS=2
        CPU_SPLIT="$n cores, shared by wrk (2 threads) and the server"
        return
    fi
    k=$((n / 4 > 0 ? n / 4 : 1))
    local wrk_list server_list
    wrk_list=$(IFS=,; echo "${cpus[*]:0:k}")
    server_list=$(IFS=,; echo "${cpus[*]:k}")
    WRK_ON=(taskset -c "$wrk_list")
    SERVER_ON=(taskset -c "$server_list")
    WRK_THREADS=$k
    CPU_SPLIT="$n cores: wrk ($k thread(s)) on cpu $wrk_list, the server on cpu $server_list"
}
