#!/usr/bin/env bash
# The private services of the test command (ARCHITECTURE.md, "The test command").
#
#   scripts/testenv.sh packages [--runtime]
#       (--runtime: only what `make run` needs: venv, gettext, npm)
#       Installs the Debian packages the suite needs when they are missing and apt-get is
#       available (running `apt-get update` once, only if something is missing); otherwise stops
#       with a message naming what is missing.
#   scripts/testenv.sh run [--no-postgres] -- COMMAND...
#       Starts a private PostgreSQL (initdb into a temporary folder, trust auth, 127.0.0.1 on a free
#       port, its unix socket in that folder) and a private Redis (no persistence, a free port),
#       runs COMMAND with these variables exported, and stops both afterwards, even on failure:
#         NETMARK_TEST_REDIS_URL      redis://127.0.0.1:<port>/0
#         NETMARK_TEST_POSTGRES_URL   postgres://netmark@127.0.0.1:<port>/netmark
#         NETMARK_TEST_PG_BINDIR, NETMARK_TEST_PG_DATA, NETMARK_TEST_PG_RUNAS
#             for tests that stop and start the server (run pg_ctl as NETMARK_TEST_PG_RUNAS when set).
#       No system service is configured or touched; everything lives in the temporary folder.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { printf 'testenv: %s\n' "$*" >&2; }
die() {
    say "$*"
    exit 1
}

# ---------------------------------------------------------------------------------------------
# Debian packages

pg_bindir() {
    local dir
    dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -V | tail -n 1)"
    if [[ -n "$dir" && -x "$dir/initdb" ]]; then
        printf '%s\n' "$dir"
    elif command -v pg_config >/dev/null 2>&1 && [[ -x "$(pg_config --bindir)/initdb" ]]; then
        pg_config --bindir
    fi
}

deb_installed() {
    command -v dpkg-query >/dev/null 2>&1 &&
        [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

# Prints "package:what-it-provides" for every missing requirement.
missing_requirements() {
    command -v msgfmt >/dev/null 2>&1 || echo "gettext:msgfmt (compilemessages)"
    python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || echo "python3-venv:python3 -m venv"
    if [[ -f "$REPO_ROOT/package.json" ]]; then
        command -v npm >/dev/null 2>&1 || echo "npm:npm (ECharts assets)"
    fi
    # PDF reports (WeasyPrint) run in the installation too.
    deb_installed fonts-noto-cjk || fc-list ':lang=zh' 2>/dev/null | grep -qi 'noto' ||
        echo "fonts-noto-cjk:the Noto CJK fonts (PDF reports)"
    deb_installed libharfbuzz-subset0 || ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset' ||
        echo "libharfbuzz-subset0:libharfbuzz-subset (fast WeasyPrint)"
    deb_installed libpangoft2-1.0-0 || ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0' ||
        echo "libpangoft2-1.0-0:pango (WeasyPrint, PDF reports)"
    # `make run` needs only the lines above; the suite needs the services and the browser too.
    [[ "${RUNTIME_ONLY:-}" == 1 ]] && return 0
    [[ -n "$(pg_bindir)" ]] || echo "postgresql:PostgreSQL server (initdb, postgres)"
    command -v redis-server >/dev/null 2>&1 || echo "redis-server:redis-server"
    command -v chromium >/dev/null 2>&1 || echo "chromium:chromium (browser tests)"
    command -v pdftoppm >/dev/null 2>&1 || echo "poppler-utils:pdftoppm, pdftotext (PDF report tests)"
    [[ -x /usr/sbin/dovecot ]] || command -v dovecot >/dev/null 2>&1 ||
        echo "dovecot-imapd:dovecot (IMAP bounce mailbox tests)"
    return 0
}

as_admin() {
    if [[ "$(id -u)" == 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo -n -E "$@"
    else
        return 1
    fi
}

ensure_packages() {
    local missing packages
    missing="$(missing_requirements)"
    [[ -z "$missing" ]] && return 0
    packages="$(cut -d: -f1 <<<"$missing" | tr '\n' ' ')"
    say "missing: $(cut -d: -f2 <<<"$missing" | paste -sd, -)"
    if ! command -v apt-get >/dev/null 2>&1; then
        die "apt-get is not available: install these packages yourself: $packages"
    fi
    say "installing with apt-get: $packages"
    # shellcheck disable=SC2086 # the package list is meant to split
    if ! as_admin apt-get update -qq </dev/null ||
        ! as_admin apt-get install -y -qq --no-install-recommends $packages </dev/null; then
        die "could not install ($packages): run as root or with passwordless sudo, or install them yourself"
    fi
    missing="$(missing_requirements)"
    [[ -z "$missing" ]] || die "still missing after apt-get: $(cut -d: -f2 <<<"$missing" | paste -sd, -)"
}

# ---------------------------------------------------------------------------------------------
# Private services

TMP_ROOT=""
REDIS_PID=""
PG_STARTED=""
PG_RUNAS=""

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

as_pg_user() {
    if [[ -n "$PG_RUNAS" ]]; then
        runuser -u "$PG_RUNAS" -- "$@"
    else
        "$@"
    fi
}

cleanup() {
    local status=$?
    if [[ -n "$PG_STARTED" ]]; then
        as_pg_user "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 ||
            say "could not stop the private PostgreSQL (data in $PG_DATA)"
    fi
    if [[ -n "$REDIS_PID" ]]; then
        kill "$REDIS_PID" 2>/dev/null || true
        wait "$REDIS_PID" 2>/dev/null || true
    fi
    if [[ -n "$TMP_ROOT" ]]; then
        rm -rf "$TMP_ROOT"
    fi
    exit "$status"
}

start_redis() {
    command -v redis-server >/dev/null 2>&1 || die "redis-server is missing: run 'scripts/testenv.sh packages'"
    local port attempt
    mkdir -p "$TMP_ROOT/redis"
    for attempt in 1 2 3; do
        port="$(free_port)"
        redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
            --dir "$TMP_ROOT/redis" --logfile "$TMP_ROOT/redis/redis.log" </dev/null &
        REDIS_PID=$!
        if wait_for_redis "$port"; then
            export NETMARK_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
            return 0
        fi
        kill "$REDIS_PID" 2>/dev/null || true
        wait "$REDIS_PID" 2>/dev/null || true
        REDIS_PID=""
        say "redis-server did not start on port $port (attempt $attempt)"
    done
    cat "$TMP_ROOT/redis/redis.log" >&2 || true
    die "the private Redis would not start"
}

wait_for_redis() {
    local port=$1 _
    for _ in $(seq 100); do
        kill -0 "$REDIS_PID" 2>/dev/null || return 1
        if redis_ping "$port"; then
            return 0
        fi
        sleep 0.05
    done
    return 1
}

redis_ping() {
    local reply=""
    # The braces keep the stderr redirection temporary (a bare `exec ... 2>` would be permanent).
    { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
    printf 'PING\r\n' >&3
    read -r -t 2 reply <&3 || true
    exec 3>&-
    [[ "$reply" == "+PONG"* ]]
}

start_postgres() {
    PG_BINDIR="$(pg_bindir)"
    [[ -n "$PG_BINDIR" ]] || die "PostgreSQL (initdb) is missing: run 'scripts/testenv.sh packages'"
    local pg_dir="$TMP_ROOT/pg" port attempt
    PG_DATA="$pg_dir/data"
    mkdir -p "$pg_dir"
    if [[ "$(id -u)" == 0 ]]; then
        # postgres refuses to run as root: run it as the postgres user (or nobody) instead.
        PG_RUNAS=postgres
        id postgres >/dev/null 2>&1 || PG_RUNAS=nobody
        chmod 711 "$TMP_ROOT"
        chown "$PG_RUNAS" "$pg_dir"
    fi
    as_pg_user "$PG_BINDIR/initdb" -D "$PG_DATA" -U netmark --auth=trust --encoding=UTF8 \
        --locale=C.UTF-8 --no-sync >"$pg_dir/initdb.log" 2>&1 ||
        {
            cat "$pg_dir/initdb.log" >&2
            die "initdb failed"
        }
    for attempt in 1 2 3; do
        port="$(free_port)"
        write_postgres_conf "$port" "$pg_dir"
        if as_pg_user "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -l "$pg_dir/server.log" -w -t 60 start >/dev/null; then
            PG_STARTED=1
            break
        fi
        say "PostgreSQL did not start on port $port (attempt $attempt)"
    done
    if [[ -z "$PG_STARTED" ]]; then
        cat "$pg_dir/server.log" >&2 || true
        die "the private PostgreSQL would not start"
    fi
    "$PG_BINDIR/createdb" -h 127.0.0.1 -p "$port" -U netmark netmark
    export NETMARK_TEST_POSTGRES_URL="postgres://netmark@127.0.0.1:$port/netmark"
    export NETMARK_TEST_PG_BINDIR="$PG_BINDIR" NETMARK_TEST_PG_DATA="$PG_DATA" NETMARK_TEST_PG_RUNAS="$PG_RUNAS"
}

write_postgres_conf() {
    # A throw-away server: durability off for speed (the suite's durability tests prove
    # "acknowledged means committed", which a process kill tests without fsync; RELIABILITY.md).
    cat >"$PG_DATA/postgresql.auto.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $1
unix_socket_directories = '$2'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
log_min_messages = warning
EOF
    if [[ -n "$PG_RUNAS" ]]; then
        chown "$PG_RUNAS" "$PG_DATA/postgresql.auto.conf"
    fi
}

run_with_services() {
    local with_postgres=1
    while [[ $# -gt 0 ]]; do
        case "$1" in
        --no-postgres) with_postgres="" ;;
        --) shift && break ;;
        *) die "unknown option $1 (usage: testenv.sh run [--no-postgres] -- COMMAND...)" ;;
        esac
        shift
    done
    [[ $# -gt 0 ]] || die "usage: testenv.sh run [--no-postgres] -- COMMAND..."
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    TMP_ROOT="$(mktemp -d "${TMPDIR:-/tmp}/netmark-testenv.XXXXXX")"
    start_redis
    say "private Redis at $NETMARK_TEST_REDIS_URL"
    if [[ -n "$with_postgres" ]]; then
        start_postgres
        say "private PostgreSQL at $NETMARK_TEST_POSTGRES_URL"
    fi
    "$@"
}

case "${1:-}" in
packages)
    [[ "${2:-}" == "--runtime" ]] && RUNTIME_ONLY=1
    ensure_packages
    ;;
run)
    shift
    run_with_services "$@"
    ;;
*) die "usage: testenv.sh packages | run [--no-postgres] -- COMMAND..." ;;
esac
