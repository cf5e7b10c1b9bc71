#!/usr/bin/env bash
# Self-hosted benchmark: the same chat request direct to the instant upstream (switchboard-instant-upstream) and
# through the self-hosted edge → router (API key from PostgreSQL, quota counted in PostgreSQL on every request,
# signed identity, audit events published to Kafka and consumed by switchboard-audit), in one run. See
# bench/README.md.
#
#   bench/selfhosted.sh [--duration 10] [--connections 32] [--build]
#
# Uses scripts/postgres and scripts/kafka on ports of their own (55732, 59492), stopped at the end.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
DURATION=10
CONNECTIONS=32
FORCE_BUILD=0
while [ $# -gt 0 ]; do
    case "$1" in
        --duration) DURATION=$2; shift ;;
        --connections) CONNECTIONS=$2; shift ;;
        --build) FORCE_BUILD=1 ;;
        -h|--help) sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done

log() { echo "[selfhosted-bench $(date +%H:%M:%S)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

SCRATCH="$ROOT/.build-release"
BIN=${SWITCHBOARD_BIN_DIR:-"$SCRATCH/release"}
RESULTS="$BENCH_DIR/results"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-selfhosted-bench.XXXXXX")
PIDS=()
export SWITCHBOARD_TEST_POSTGRES_PORT=55732 SWITCHBOARD_TEST_KAFKA_PORT=59492

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    "$ROOT/scripts/kafka" stop >/dev/null 2>&1 || true
    "$ROOT/scripts/postgres" stop >/dev/null 2>&1 || true
    rm -rf "$TMP"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

command -v wrk >/dev/null || die "wrk is not installed (bench/run.sh installs it)"
products=(switchboard switchboard-instant-upstream switchboard-edge switchboard-router switchboard-audit)
for product in "${products[@]}"; do
    if [ "$FORCE_BUILD" = 1 ] || [ ! -x "$BIN/$product" ]; then
        log "building $product (release)"
        (cd "$ROOT" && timeout 1800 swift build -c release --scratch-path "$SCRATCH" --product "$product" >&2) \
            || die "release build of $product failed"
    fi
done

# wait_port FILE PID: the port from a "... listening on http://host:PORT" or "listening on PORT" line.
wait_port() {
    local file=$1 pid=$2 port
    for _ in $(seq 600); do
        port=$(sed -n -e 's|.*listening on http://[^:]*:\([0-9][0-9]*\).*|\1|p' -e 's/^listening on \([0-9][0-9]*\).*/\1/p' \
            "$file" | head -n1)
        if [ -n "$port" ]; then echo "$port"; return 0; fi
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}
start() {
    local name=$1; shift
    "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" </dev/null &
    PIDS+=("$!")
    STARTED_PORT=$(wait_port "$TMP/$name.out" "$!") || die "$name did not start: $(tail -n 5 "$TMP/$name.err")"
}

POSTGRES_URL=$("$ROOT/scripts/postgres" start)
KAFKA=$("$ROOT/scripts/kafka" start)
KAFKA_LIBDIR=$("$ROOT/scripts/kafka" libdir)
export LD_LIBRARY_PATH="$KAFKA_LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
start fake "$BIN/switchboard-instant-upstream" --host 127.0.0.1 --port 0
FAKE_PORT=$STARTED_PORT
# Quotas are counted on every request (limits too high to refuse anything); BENCH_LIMITS overrides them.
LIMITS=${BENCH_LIMITS:-"{ rpm: 100000000, rpd: 1000000000 }"}
cat >"$TMP/switchboard.yaml" <<YAML
log_level: warning
limits: $LIMITS
providers:
  openai_compatible:
    fake: { base_url: "http://127.0.0.1:$FAKE_PORT/v1", api_key: bench-upstream-key }
routes:
  bench: { targets: [ { provider: "openai_compatible:fake", model: bench } ] }
YAML
INTERNAL_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export SWITCHBOARD_POSTGRES_URL=$POSTGRES_URL SWITCHBOARD_KAFKA_BROKERS=$KAFKA \
    SWITCHBOARD_INTERNAL_SECRET=$INTERNAL_SECRET SWITCHBOARD_POSTGRES_POOL_SIZE=16
start router "$BIN/switchboard-router" --config "$TMP/switchboard.yaml" --listen 127.0.0.1:0
export SWITCHBOARD_ROUTER_URL="http://127.0.0.1:$STARTED_PORT"
start audit "$BIN/switchboard-audit" --config "$TMP/switchboard.yaml" --listen 127.0.0.1:0
export SWITCHBOARD_AUDIT_URL="http://127.0.0.1:$STARTED_PORT"
start edge "$BIN/switchboard-edge" --config "$TMP/switchboard.yaml" --listen 127.0.0.1:0
EDGE_PORT=$STARTED_PORT
KEY=$("$BIN/switchboard" keys create --tenant bench 2>"$TMP/keys.err" | tail -n1) || die "$(cat "$TMP/keys.err")"

DIRECT="http://127.0.0.1:$FAKE_PORT/v1/chat/completions"
EDGE="http://127.0.0.1:$EDGE_PORT/v1/chat/completions"
code=$(curl -sS -o "$TMP/smoke.json" -w '%{http_code}' -H 'Content-Type: application/json' -H "Authorization: Bearer $KEY" \
    -d '{"model":"bench","messages":[{"role":"user","content":"hi"}]}' "$EDGE")
[ "$code" = 200 ] || die "edge answered $code: $(head -c 300 "$TMP/smoke.json")"

declare -A RESULT
measure() {
    local label=$1 conns=$2 url=$3 auth=$4 threads=$(( $2 < 2 ? $2 : 2 ))
    BENCH_AUTH=$auth wrk -t"$threads" -c"$conns" -d2s -s "$BENCH_DIR/chat.lua" "$url" >/dev/null
    BENCH_AUTH=$auth wrk -t"$threads" -c"$conns" -d"${DURATION}s" --timeout 10s --latency -s "$BENCH_DIR/chat.lua" "$url" \
        >"$TMP/wrk-$label-$conns.txt"
    RESULT[$label@$conns]=$(grep '^BENCH_RESULT' "$TMP/wrk-$label-$conns.txt")
    log "$label@$conns: ${RESULT[$label@$conns]}"
}
measure direct "$CONNECTIONS" "$DIRECT" ""
measure direct 1 "$DIRECT" ""
measure selfhosted "$CONNECTIONS" "$EDGE" "$KEY"
measure selfhosted 1 "$EDGE" "$KEY"
value() { sed "s/.* $2=\([0-9.]*\).*/\1/" <<<"${RESULT[$1]}"; }
REPORT=$(
    echo "## Self-hosted benchmark — $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "Commit $(git -C "$ROOT" rev-parse --short HEAD), $(nproc) cores, wrk ${DURATION}s per run after 2 s of warm-up;"
    echo "client → switchboard-edge → switchboard-router → instant upstream, with PostgreSQL (keys, quotas),"
    echo "Kafka (tansu; audit events) and switchboard-audit running; every process on this machine."
    echo
    echo "| target | req/s@$CONNECTIONS | p50@$CONNECTIONS | p99@$CONNECTIONS | p50@1 | p99@1 |"
    echo "|---|---:|---:|---:|---:|---:|"
    for label in direct selfhosted; do
        printf '| %s | %.0f | %.2f ms | %.2f ms | %.2f ms | %.2f ms |\n' "$label" "$(value "$label@$CONNECTIONS" rps)" \
            "$(awk -v v="$(value "$label@$CONNECTIONS" p50_us)" 'BEGIN{print v/1000}')" \
            "$(awk -v v="$(value "$label@$CONNECTIONS" p99_us)" 'BEGIN{print v/1000}')" \
            "$(awk -v v="$(value "$label@1" p50_us)" 'BEGIN{print v/1000}')" \
            "$(awk -v v="$(value "$label@1" p99_us)" 'BEGIN{print v/1000}')"
    done
    echo
    echo "- added latency at 1 connection (edge + router + PostgreSQL quota − direct): p50" \
        "$(awk -v a="$(value selfhosted@1 p50_us)" -v b="$(value direct@1 p50_us)" 'BEGIN{printf "%.2f ms", (a-b)/1000}')"
    echo "- non-2xx + errors: $(for k in "${!RESULT[@]}"; do printf '%s %s+%s; ' "$k" "$(value "$k" non2xx)" \
        "$(sed 's/.* errors=\([0-9]*\).*/\1/' <<<"${RESULT[$k]}")"; done)"
)
echo "$REPORT" | tee "$RESULTS/selfhosted-latest.md"
