#!/usr/bin/env bash
# tests/container/run.sh — the container test: build docker/Dockerfile, run the
# image, speak HTTP to it, stop it, restart it on the same volume, check what
# the image is (non-root, no compiler, < 100 MB), then the compose file.
#
#   tests/container/run.sh                     (from anywhere in the repo)
#
# Engine: by default ../shared/tools/container-engine (rootful podman behind
# the Docker API; no Docker daemon needed), brought up here and stopped at the
# end. CRUDD_CONTAINER_ENGINE=docker uses whatever `docker` already talks to
# (a real Docker daemon, or an engine you keep up) and leaves it running.
# Other knobs: CRUDD_TEST_IMAGE (default crudd:ci), CRUDD_HEALTH_TIMEOUT (s, 30).
#
# Prints "ok - NAME" / "not ok - NAME: why" per check and last of all
# "N passed, M failed"; exits 0 only when nothing failed. Cleans up its
# containers, volumes and compose project even when it fails; the image stays
# (cached layers make the next run fast).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"

image=${CRUDD_TEST_IMAGE:-crudd:ci}
health_timeout=${CRUDD_HEALTH_TIMEOUT:-30}
run_id=cruddct$$
c1=$run_id-1
c2=$run_id-2
vol=$run_id-data
project=$run_id
compose=(docker-compose -p "$project" -f docker/compose.yaml)
logdir=$(mktemp -d)
passed=0
failed=0
engine_started=0
compose_up=0
t0=$SECONDS

ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1${2:+: $2}"; }
note() { echo "# $*"; }
# check NAME CMD...: one check, passed when CMD succeeds.
check() {
    local name=$1
    shift
    if "$@"; then ok "$name"; else not_ok "$name"; fi
}
now_ms() { date +%s%3N; }
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cleanup() {
    local rc=$?
    set +e
    if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
        not_ok "script_ran_to_the_end" "aborted (exit $rc) near line ${err_line:-?}"
    fi
    if command -v docker >/dev/null; then
        docker rm -f -v "$c1" "$c2" >/dev/null 2>&1
        if [ "$compose_up" = 1 ]; then
            "${compose[@]}" down -v --remove-orphans >/dev/null 2>&1
        fi
        docker volume rm -f "$vol" >/dev/null 2>&1
    fi
    if [ "$engine_started" = 1 ]; then
        "$engine" down >/dev/null 2>&1
    fi
    rm -rf "$logdir"
    note "took $((SECONDS - t0)) s"
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ] && exit 0 || exit 1
}
trap 'err_line=$LINENO' ERR
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- engine ----------------------------------------------------------------
if [ "${CRUDD_CONTAINER_ENGINE:-}" = docker ]; then
    engine=
else
    engine=${CONTAINER_ENGINE:-$root/../shared/tools/container-engine}
    if [ ! -x "$engine" ]; then
        engine="$(git rev-parse --show-toplevel 2>/dev/null)/../shared/tools/container-engine"
    fi
    [ -x "$engine" ] || { echo "container-engine not found (set CONTAINER_ENGINE or CRUDD_CONTAINER_ENGINE=docker)" >&2; exit 2; }
    note "bringing up the container engine ($engine; the first time builds its base image, a minute or two)"
    if ! engine_env=$("$engine" up 2>"$logdir/engine.log"); then
        tail -20 "$logdir/engine.log" | sed 's/^/#   /'
        exit 1
    fi
    eval "$engine_env"
    engine_started=1
fi
export DOCKER_BUILDKIT=${DOCKER_BUILDKIT:-0}
check engine_answers docker version >/dev/null

# Podman runs HEALTHCHECK from systemd timers; with no systemd (containers, CI)
# nothing runs them and Health.Status stays "starting" forever. Podman's
# `healthcheck run` runs the check once and records it, after which `docker
# inspect` reports the real status. Only used when podman sees the container.
kick_health() {
    command -v podman >/dev/null 2>&1 && podman container exists "$1" 2>/dev/null \
        || return 1
    podman healthcheck run "$1" >/dev/null 2>&1 || true
}
# wait_healthy CONTAINER: until `docker inspect` says healthy (bounded).
wait_healthy() {
    local c=$1 start=${2:-$SECONDS} st=unknown kicked=0
    local deadline=$((SECONDS + health_timeout))
    while [ "$SECONDS" -lt "$deadline" ]; do
        st=$(docker inspect --format '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$c" 2>/dev/null) || st=gone
        case $st in
        running/healthy)
            note "$c healthy after $((SECONDS - start)) s$([ "$kicked" = 1 ] && echo ' (via podman healthcheck run)')"
            return 0 ;;
        running/*) ;;
        *) note "$c is $st"; docker logs "$c" 2>&1 | tail -20 | sed 's/^/#   /'; return 1 ;;
        esac
        kick_health "$c" && kicked=1
        sleep 0.5
    done
    note "$c not healthy after ${health_timeout} s (status $st)"
    docker logs "$c" 2>&1 | tail -20 | sed 's/^/#   /'
    return 1
}
# run_crudd NAME: start the image detached on a free loopback port and the
# volume; sets $port and $started_at. Three tries, in case another process
# takes the free port between our probe and podman's bind.
run_crudd() {
    local name=$1 try
    for try in 1 2 3; do
        port=$(free_port)
        if docker run -d --name "$name" -p "127.0.0.1:$port:3000" -v "$vol:/data" \
            "$image" >"$logdir/run.out" 2>&1; then
            started_at=$SECONDS
            return 0
        fi
        cat "$logdir/run.out" >&2
        docker rm -f "$name" >/dev/null 2>&1 || true
        grep -q 'address already in use' "$logdir/run.out" || return 1
    done
    return 1
}

# ---- build -------------------------------------------------------------------
note "building $image"
b0=$SECONDS
if docker build -f docker/Dockerfile -t "$image" . >"$logdir/build.log" 2>&1; then
    ok "image_builds"
    note "build took $((SECONDS - b0)) s"
else
    not_ok "image_builds"
    tail -30 "$logdir/build.log" | sed 's/^/#   /'
    exit 1
fi

# ---- what the image is -----------------------------------------------------
size=$(docker image inspect --format '{{.Size}}' "$image")
note "image size: $size bytes ($((size / 1000000)) MB)"
check image_is_under_100_MB [ "$size" -lt 100000000 ]
compilers=$(docker run --rm --entrypoint sh "$image" -c 'command -v cc gcc c++ g++ clang make || true')
check runtime_image_has_no_compiler [ -z "$compilers" ]
user=$(docker image inspect --format '{{.Config.User}}' "$image")
user_is_not_root() { [ -n "$1" ] && [ "${1%%:*}" != 0 ] && [ "${1%%:*}" != root ]; }
check image_user_is_not_root user_is_not_root "$user"

# ---- run, CRUD, stop ---------------------------------------------------------
docker volume create "$vol" >/dev/null
if ! run_crudd "$c1"; then not_ok "container_starts"; exit 1; fi
ok "container_starts"
check container_becomes_healthy wait_healthy "$c1" "$started_at"
first=$(docker logs "$c1" 2>&1 | sed -n 1p)
check first_log_line_is_listening [ "$first" = "listening on 0.0.0.0:3000" ]

keep_id=keeper-$run_id
if python3 "$here/smoke.py" "http://127.0.0.1:$port" crud "$keep_id" >"$logdir/smoke.out"; then :; fi
cat "$logdir/smoke.out"
passed=$((passed + $(grep -c '^ok - ' "$logdir/smoke.out" || true)))
failed=$((failed + $(grep -c '^not ok - ' "$logdir/smoke.out" || true)))

uid=$(docker exec "$c1" id -u)
check process_runs_as_non_root [ "$uid" != 0 ]
dbowner=$(docker exec "$c1" stat -c %u /data/crudd.db)
check database_on_the_volume_owned_by_crudd [ "$dbowner" = "$uid" ]
# The HEALTHCHECK command must be able to say "unhealthy", not only "healthy".
check healthcheck_fails_when_nothing_answers \
    eval '! docker exec "$c1" crudd --healthcheck --port 1 >/dev/null 2>&1'

s=$(now_ms)
docker stop -t 10 "$c1" >/dev/null
stop_ms=$(($(now_ms) - s))
exit_code=$(docker inspect --format '{{.State.ExitCode}}' "$c1")
note "docker stop took $stop_ms ms, exit code $exit_code"
check stop_takes_under_2_s [ "$stop_ms" -lt 2000 ]
check stop_exits_0 [ "$exit_code" = 0 ]
if docker logs "$c1" 2>&1 | tail -3 | grep -q 'stopped'; then ok "stop_is_orderly"; else not_ok "stop_is_orderly" "no 'stopped' in the log"; fi
docker rm -f "$c1" >/dev/null

# ---- a new container on the same volume ------------------------------------
if ! run_crudd "$c2"; then not_ok "second_container_starts"; exit 1; fi
ok "second_container_starts"
check second_container_becomes_healthy wait_healthy "$c2" "$started_at"
if python3 "$here/smoke.py" "http://127.0.0.1:$port" persisted "$keep_id" >"$logdir/smoke.out"; then :; fi
cat "$logdir/smoke.out"
passed=$((passed + $(grep -c '^ok - ' "$logdir/smoke.out" || true)))
failed=$((failed + $(grep -c '^not ok - ' "$logdir/smoke.out" || true)))
docker rm -f "$c2" >/dev/null
docker volume rm -f "$vol" >/dev/null

# ---- compose ------------------------------------------------------------------
export CRUDD_IMAGE=$image CRUDD_HOST_PORT
CRUDD_HOST_PORT=$(free_port)
compose_up=1
if "${compose[@]}" up -d --no-build >"$logdir/compose.log" 2>&1; then
    ok "compose_up"
else
    not_ok "compose_up"
    tail -20 "$logdir/compose.log" | sed 's/^/#   /'
    exit 1
fi
cc=$("${compose[@]}" ps -q crudd)
check compose_service_becomes_healthy wait_healthy "$cc" "$SECONDS"
restart=$(docker inspect --format '{{.HostConfig.RestartPolicy.Name}}' "$cc")
check compose_restart_is_unless_stopped [ "$restart" = unless-stopped ]
if python3 "$here/smoke.py" "http://127.0.0.1:$CRUDD_HOST_PORT" ping >"$logdir/smoke.out"; then :; fi
sed 's/^\(not \)\{0,1\}ok - /&compose_/' "$logdir/smoke.out"
passed=$((passed + $(grep -c '^ok - ' "$logdir/smoke.out" || true)))
failed=$((failed + $(grep -c '^not ok - ' "$logdir/smoke.out" || true)))
if "${compose[@]}" down -v >"$logdir/compose.log" 2>&1; then
    compose_up=0
    ok "compose_down"
else
    not_ok "compose_down"
    tail -20 "$logdir/compose.log" | sed 's/^/#   /'
fi
left=$(docker ps -aq --filter "label=com.docker.compose.project=$project"; docker volume ls -q --filter "label=com.docker.compose.project=$project")
check compose_down_leaves_nothing [ -z "$left" ]
