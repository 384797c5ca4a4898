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
