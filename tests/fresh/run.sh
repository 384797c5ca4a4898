#!/usr/bin/env bash
# tests/fresh/run.sh — the README's two commands on a fresh machine.
#
#   tests/fresh/run.sh            # as root, then as a user with sudo
#   tests/fresh/run.sh root       # only one of them (root | sudo)
#
# For each user it starts a fresh debian:bookworm-slim container (from
# ../shared/tools/container-engine, or the `docker` you have with
# CRUDD_CONTAINER_ENGINE=docker), copies the repository into it as a clone
# would have it (the files git tracks, plus new ones it does not ignore), and
# runs the README's own commands (tests/fresh/readme_commands.sh reads them
# from README.md): the first until crudd answers GET /items with 200 on port
# 3000, the second to the end, while the first keeps running. It fails when
# either fails or times out.
#
# Nothing is installed by hand for crudd. The scenario's own set-up is all the
# container gets: for the sudo run, the sudo package and a user `dev` that may
# use it without a password. When the machine reaches the package registries
# through a TLS proxy, its CA certificates are passed in (as local CAs, which
# ca-certificates picks up when the commands install it, and as
# NODE_EXTRA_CA_CERTS for npm), and so are its proxy variables.
#
# Knobs: CRUDD_FRESH_IMAGE (debian:bookworm-slim), CRUDD_FRESH_START_TIMEOUT
# (s, 600), CRUDD_FRESH_TEST_TIMEOUT (s, 2400). Logs: build/fresh/<user>-*.log.
# Prints "ok - NAME" / "not ok - NAME: why" per check and last of all
# "N passed, M failed"; exits 0 only when nothing failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"

image=${CRUDD_FRESH_IMAGE:-debian:bookworm-slim}
start_timeout=${CRUDD_FRESH_START_TIMEOUT:-600}
test_timeout=${CRUDD_FRESH_TEST_TIMEOUT:-2400}
users=("$@")
[ ${#users[@]} -gt 0 ] || users=(root sudo)
logs=$root/build/fresh
mkdir -p "$logs"
work=$(mktemp -d)
passed=0
failed=0
engine_started=0
container=
t0=$SECONDS

ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1${2:+: $2}"; }
note() { echo "# $*"; }

cleanup() {
    local rc=$?
    set +e
    if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
        not_ok "script_ran_to_the_end" "aborted (exit $rc)"
    fi
    if [ -n "$container" ]; then docker rm -f "$container" >/dev/null 2>&1; fi
    if [ "$engine_started" = 1 ]; then "$engine" down >/dev/null 2>&1; fi
    rm -rf "$work"
    note "took $((SECONDS - t0)) s"
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ] && exit 0 || exit 1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the commands, from README.md -------------------------------------------
start_cmd=$("$here/readme_commands.sh" 1)
test_cmd=$("$here/readme_commands.sh" 2)
note "command 1: $start_cmd"
note "command 2: $test_cmd"

# ---- engine -------------------------------------------------------------------
if [ "${CRUDD_CONTAINER_ENGINE:-}" = docker ]; then
    engine=
else
    engine=${CONTAINER_ENGINE:-$root/../shared/tools/container-engine}
    [ -x "$engine" ] || { echo "container-engine not found (set CONTAINER_ENGINE or CRUDD_CONTAINER_ENGINE=docker)" >&2; exit 2; }
    note "bringing up the container engine"
    if ! engine_env=$("$engine" up 2>"$work/engine.log"); then
        tail -20 "$work/engine.log" | sed 's/^/#   /'
        exit 1
    fi
    eval "$engine_env"
    engine_started=1
fi

# ---- what goes into each container ---------------------------------------------
# The repository as a fresh clone holds it: tracked files as they are in the
# working tree, and new files git does not ignore (no build outputs).
git ls-files -z -co --exclude-standard | tar --null -T - -cf "$work/src.tar"
mkdir -p "$work/ca"
for f in /usr/local/share/ca-certificates/*.crt; do
    if [ -f "$f" ]; then cp "$f" "$work/ca/"; fi
done
bundle=${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}
envs=()
if [ -f "$bundle" ]; then
    cp "$bundle" "$work/host-ca-bundle.crt"
    envs+=(-e NODE_EXTRA_CA_CERTS=/etc/ssl/host-ca-bundle.crt)
fi
for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
    if [ -n "${!v:-}" ]; then envs+=(-e "$v=${!v}"); fi
done

# inside CMD...: run a command in the container as root.
inside() { docker exec "$container" "$@"; }

# answers: crudd in the container answers GET /items with 200 on port 3000
# (bash's /dev/tcp: the fresh image has no curl).
answers() {
    inside bash -c 'exec 3<>/dev/tcp/127.0.0.1/3000 || exit 1
        printf "GET /items HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n" >&3
        IFS= read -r line <&3; [[ $line == "HTTP/1.1 200"* ]]' 2>/dev/null
}

# fresh_run USER: one fresh container, both commands as USER (root | sudo).
fresh_run() {
    local who=$1 user home name
    case $who in
    root) user=root home=/root ;;
    sudo) user=dev home=/home/dev ;;
    *) echo "unknown user '$who' (root | sudo)" >&2; exit 2 ;;
    esac
    name=cruddfresh$$-$who
    container=$name
    docker rm -f "$name" >/dev/null 2>&1 || true
    if ! docker run -d --name "$name" "${envs[@]}" "$image" sleep infinity \
        >"$logs/$who-container.log" 2>&1; then
        not_ok "${who}_container_starts" "$(tail -1 "$logs/$who-container.log")"
        return
    fi
    docker cp "$work/src.tar" "$name:/tmp/src.tar" >/dev/null
    inside mkdir -p /usr/local/share/ca-certificates
    for f in "$work"/ca/*.crt; do
        if [ -f "$f" ]; then docker cp "$f" "$name:/usr/local/share/ca-certificates/" >/dev/null; fi
    done
    if [ -f "$work/host-ca-bundle.crt" ]; then
        docker cp "$work/host-ca-bundle.crt" "$name:/etc/ssl/host-ca-bundle.crt" >/dev/null
    fi
    if [ "$who" = sudo ]; then
        # The scenario, not crudd's needs: a user who may use sudo.
        if ! inside bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sudo \
                && useradd -m -s /bin/bash dev \
                && echo "dev ALL=(ALL) NOPASSWD:ALL" >/etc/sudoers.d/dev' >"$logs/$who-setup.log" 2>&1; then
            not_ok "${who}_user_set_up" "see $logs/$who-setup.log"
            return
        fi
    fi
    inside bash -c "mkdir -p $home/crudd && tar -xf /tmp/src.tar -C $home/crudd && chown -R $user: $home/crudd && rm /tmp/src.tar"

    # Command 1, in the background as in a terminal; its exit code lands in
    # a file if it ever ends (it should not: crudd keeps running).
    local s=$SECONDS
    printf '%s\n' "$start_cmd" >"$work/start.sh"
    docker cp "$work/start.sh" "$name:/tmp/start.sh" >/dev/null
    docker exec -d -u "$user" -w "$home/crudd" -e HOME="$home" "$name" \
        bash -c 'bash /tmp/start.sh >/tmp/start.log 2>&1; echo $? >/tmp/start.rc'
    local up=0
    while [ $((SECONDS - s)) -lt "$start_timeout" ]; do
        if answers; then up=1; break; fi
        inside test -f /tmp/start.rc && break
        sleep 1
    done
    docker cp "$name:/tmp/start.log" "$logs/$who-start.log" >/dev/null 2>&1 || true
    if [ "$up" = 1 ]; then
        ok "${who}_readme_command_1_starts_crudd ($((SECONDS - s)) s)"
    else
        not_ok "${who}_readme_command_1_starts_crudd" \
            "no answer on port 3000 after $((SECONDS - s)) s; see $logs/$who-start.log"
        tail -20 "$logs/$who-start.log" | sed 's/^/#   /'
        return
    fi

    # Command 2, to the end, in "another terminal".
    s=$SECONDS
    printf '%s\n' "$test_cmd" >"$work/test.sh"
    docker cp "$work/test.sh" "$name:/tmp/test.sh" >/dev/null
    if timeout "$test_timeout" docker exec -u "$user" -w "$home/crudd" -e HOME="$home" "$name" \
        bash /tmp/test.sh >"$logs/$who-test.log" 2>&1; then
        ok "${who}_readme_command_2_tests_pass ($((SECONDS - s)) s)"
    else
        not_ok "${who}_readme_command_2_tests_pass" \
            "exit $? after $((SECONDS - s)) s; see $logs/$who-test.log"
        tail -30 "$logs/$who-test.log" | sed 's/^/#   /'
    fi
    if answers; then ok "${who}_crudd_still_answers"; else not_ok "${who}_crudd_still_answers"; fi
    docker rm -f "$name" >/dev/null 2>&1
    container=
}

for who in "${users[@]}"; do
    note "fresh $image, as $who"
    fresh_run "$who"
done
