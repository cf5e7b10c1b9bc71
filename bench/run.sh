#!/usr/bin/env bash
# Switchboard benchmark: the same chat request direct to an instant upstream, through the gateway
# (auth, quota and audit on) and optionally through LiteLLM's proxy. See bench/README.md.
#
#   bench/run.sh [--with-litellm] [--duration 5] [--rounds 3] [--connections 32] [--litellm-duration 10]
#                [--stream-requests 200] [--startup-runs 5] [--upstream instant|fake] [--prompt-kb 32] [--build]
#
# Direct, bare proxy and gateway are measured in interleaved rounds (each round runs all three, --duration
# seconds each) and reported as medians, so that a shared machine's drift hits all three alike. Each round also
# sends a long conversation of --prompt-kb KiB (0: not) direct, through the bare proxy and through the gateway,
# and the short request streamed (six chunks, the usage chunk and [DONE]) direct and through the gateway.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
WITH_LITELLM=0
DURATION=5
ROUNDS=3
CONNECTIONS=32
LITELLM_DURATION=""
STREAM_REQUESTS=200
STARTUP_RUNS=5
FORCE_BUILD=0
WARMUP=2
UPSTREAM=instant
PROMPT_KB=32

usage() { sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case "$1" in
        --with-litellm) WITH_LITELLM=1 ;;
        --duration) DURATION=$2; shift ;;
        --rounds) ROUNDS=$2; shift ;;
        --connections) CONNECTIONS=$2; shift ;;
        --litellm-duration) LITELLM_DURATION=$2; shift ;;
        --stream-requests) STREAM_REQUESTS=$2; shift ;;
        --startup-runs) STARTUP_RUNS=$2; shift ;;
        --upstream) UPSTREAM=$2; shift ;;
        --prompt-kb) PROMPT_KB=$2; shift ;;
        --build) FORCE_BUILD=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
for value in "$DURATION" "$ROUNDS" "$CONNECTIONS" "$STREAM_REQUESTS" "$STARTUP_RUNS"; do
    [[ "$value" =~ ^[1-9][0-9]*$ ]] || { echo "expected a positive integer, got '$value'" >&2; exit 2; }
done
LITELLM_DURATION=${LITELLM_DURATION:-10}
case "$UPSTREAM" in
    instant) UPSTREAM_DESCRIPTION="instant upstream (switchboard-instant-upstream: precomputed answers on SwiftNIO)" ;;
    fake) UPSTREAM_DESCRIPTION="fake upstream (switchboard-fake-upstream --no-record: Hummingbird, parses each request)" ;;
    *) echo "--upstream is instant or fake, got '$UPSTREAM'" >&2; exit 2 ;;
esac

log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

SCRATCH="$ROOT/.build-release"
BIN=${SWITCHBOARD_BIN_DIR:-"$SCRATCH/release"}
RESULTS="$BENCH_DIR/results"
RAW="$RESULTS/raw"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-bench.XXXXXX")
PIDS=()

# --- cleanup: stop every process this script started (by PID / its own process group), also on error ----
stop_pid() {
    local pid=$1
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
    rm -rf "$TMP"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Start a server in its own session (so its children are stopped with it); sets STARTED_PID.
start_server() {
    local out=$1 err=$2; shift 2
    setsid "$@" >"$out" 2>"$err" </dev/null &
    STARTED_PID=$!
    PIDS+=("$STARTED_PID")
}

# wait_line FILE SED_EXPR SECONDS PID: print the first match of SED_EXPR (sed -n) in FILE.
wait_line() {
    local file=$1 expr=$2 seconds=$3 pid=$4 value
    local deadline=$((SECONDS + seconds))
    while [ $SECONDS -lt $deadline ]; do
        value=$(sed -n "$expr" "$file" 2>/dev/null | head -n1)
        if [ -n "$value" ]; then echo "$value"; return 0; fi
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- prerequisites ---------------------------------------------------------------------------------
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
ensure_wrk() {
    command -v wrk >/dev/null 2>&1 && return 0
    log "installing wrk"
    if ! as_root env DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y wrk >"$TMP/apt.log" 2>&1; then
        as_root timeout 300 apt-get update >>"$TMP/apt.log" 2>&1 || true
        as_root env DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y wrk >>"$TMP/apt.log" 2>&1 \
            || { cat "$TMP/apt.log" >&2; die "cannot install wrk"; }
    fi
}
ensure_binaries() {
    if [ "$FORCE_BUILD" = 1 ] || [ ! -x "$BIN/switchboard" ] || [ ! -x "$BIN/switchboard-fake-upstream" ] \
        || [ ! -x "$BIN/switchboard-instant-upstream" ] \
        || [ ! -x "$BIN/switchboard-bare-proxy" ] || [ ! -x "$BIN/switchboard-nio-proxy" ]; then
        [ -n "${SWITCHBOARD_BIN_DIR:-}" ] && [ "$FORCE_BUILD" = 0 ] && die "no binaries in $BIN"
        log "building release binaries into $SCRATCH (the first build takes several minutes)"
        (cd "$ROOT" && timeout 1800 swift build -c release --scratch-path "$SCRATCH" --product switchboard >&2 \
            && timeout 1800 swift build -c release --scratch-path "$SCRATCH" --product switchboard-fake-upstream >&2 \
            && timeout 1800 swift build -c release --scratch-path "$SCRATCH" --product switchboard-instant-upstream >&2 \
            && timeout 1800 swift build -c release --scratch-path "$SCRATCH" --product switchboard-bare-proxy >&2 \
            && timeout 1800 swift build -c release --scratch-path "$SCRATCH" --product switchboard-nio-proxy >&2) \
            || die "release build failed"
    fi
}
LITELLM_STATUS="not run (pass --with-litellm)"
VENV="$BENCH_DIR/.venv-litellm"
ensure_litellm() {
    if [ -x "$VENV/bin/litellm" ]; then LITELLM_STATUS=ok; return 0; fi
    log "installing litellm[proxy] into $VENV (about a minute)"
    if python3 -m venv "$VENV" >"$TMP/pip.log" 2>&1 \
        && timeout 900 "$VENV/bin/pip" install --disable-pip-version-check -q 'litellm[proxy]' >>"$TMP/pip.log" 2>&1 \
        && [ -x "$VENV/bin/litellm" ]; then
        LITELLM_STATUS=ok
    else
        tail -n 20 "$TMP/pip.log" >&2
        LITELLM_STATUS="not measured: pip install 'litellm[proxy]' failed"
        log "WARNING: $LITELLM_STATUS"
    fi
}

# --- measurement helpers -------------------------------------------------------------------------------
proc_ticks() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12 + $13}' || echo 0; }
machine_ticks() { awk '/^cpu /{busy=$2+$3+$4+$7+$8+$9; print busy}' /proc/stat; }
CLK_TCK=$(getconf CLK_TCK)
declare -A RPS P50 P99 NON2XX CPU

# run_wrk LABEL CONNECTIONS SECONDS URL AUTH [RSS_PID] [CPU_PIDS...]: results of round $ROUND into
# RPS/P50/P99/CPU[LABEL@C#ROUND] (warm-up before the first round only); the request is the short chat, or the
# long conversation while BENCH_PROMPT_KB is exported
ROUND=1
export BENCH_PROMPT_KB=0 BENCH_STREAM=0
run_wrk() {
    local label=$1 conns=$2 seconds=$3 url=$4 auth=$5 rss_pid=${6:-}
    shift 5; [ $# -gt 0 ] && shift
    local cpu_pids=("$@") threads=$(( conns < 2 ? conns : 2 )) key="$label@$conns#$ROUND"
    local out="$RAW/wrk-$label-c$conns-r$ROUND.txt"
    log "wrk $label: $conns connections, ${seconds}s (round $ROUND)"
    if [ "$ROUND" = 1 ]; then
        BENCH_AUTH=$auth timeout $((WARMUP + 60)) wrk -t"$threads" -c"$conns" -d"${WARMUP}s" --timeout 10s \
            -s "$BENCH_DIR/chat.lua" "$url" >/dev/null
    fi
    local sampler="" before=() machine_before start end
    if [ -n "$rss_pid" ]; then
        ( while kill -0 "$rss_pid" 2>/dev/null; do
              awk '/^VmRSS/{print $2}' "/proc/$rss_pid/status" 2>/dev/null || true; sleep 0.1
          done ) >>"$TMP/rss-$label.txt" &
        sampler=$!
    fi
    for pid in "${cpu_pids[@]}"; do before+=("$(proc_ticks "$pid")"); done
    machine_before=$(machine_ticks); start=$(date +%s%N)
    BENCH_AUTH=$auth timeout $((seconds + 60)) wrk -t"$threads" -c"$conns" -d"${seconds}s" --timeout 10s --latency \
        -s "$BENCH_DIR/chat.lua" "$url" >"$out" || die "wrk failed against $label (see $out)"
    end=$(date +%s%N)
    local wall_ticks=$(( (end - start) * CLK_TCK / 1000000000 )) cpu_line="" i=0
    for pid in "${cpu_pids[@]}"; do
        cpu_line+="$(awk -v a="${before[$i]}" -v b="$(proc_ticks "$pid")" -v w="$wall_ticks" \
            'BEGIN{printf "%.0f", (b-a)*100/w}')% "
        i=$((i + 1))
    done
    cpu_line+="$(awk -v a="$machine_before" -v b="$(machine_ticks)" -v w="$wall_ticks" \
        'BEGIN{printf "%.0f", (b-a)*100/w}')%"
    CPU[$key]=$cpu_line
    if [ -n "$sampler" ]; then kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true; fi
    local line; line=$(grep '^BENCH_RESULT' "$out") || die "no result from wrk (see $out)"
    RPS[$key]=$(sed 's/.* rps=\([0-9.]*\).*/\1/' <<<"$line")
    P50[$key]=$(sed 's/.* p50_us=\([0-9]*\).*/\1/' <<<"$line")
    P99[$key]=$(sed 's/.* p99_us=\([0-9]*\).*/\1/' <<<"$line")
    NON2XX[$key]=$(sed 's/.* non2xx=\([0-9]*\) errors=\([0-9]*\).*/\1+\2/' <<<"$line")
    [ "${NON2XX[$key]}" = "0+0" ] || log "WARNING: $key had non-2xx+socket errors: ${NON2XX[$key]}"
    log "  $key: ${RPS[$key]} req/s, p50 ${P50[$key]} µs, p99 ${P99[$key]} µs, cpu ${CPU[$key]}"
}

# aggregate LABEL CONNECTIONS: RPS/P50/P99[LABEL@C] = medians over the rounds; CPU[LABEL@C] = the CPU figures of
# the round with the median throughput; NON2XX[LABEL@C] = the sums.
aggregate() {
    local key="$1@$2" r values=() median_round
    for r in $(seq 1 "$ROUND"); do values+=("${RPS[$key#$r]} $r"); done
    median_round=$(printf '%s\n' "${values[@]}" | sort -n | awk -v n="${#values[@]}" 'NR == int((n + 1) / 2) {print $2}')
    RPS[$key]=${RPS[$key#$median_round]}
    CPU[$key]=${CPU[$key#$median_round]}
    P50[$key]=$(for r in $(seq 1 "$ROUND"); do echo "${P50[$key#$r]}"; done | median)
    P99[$key]=$(for r in $(seq 1 "$ROUND"); do echo "${P99[$key#$r]}"; done | median)
    NON2XX[$key]=$(for r in $(seq 1 "$ROUND"); do echo "${NON2XX[$key#$r]}"; done \
        | awk -F+ '{a += $1; b += $2} END {print a "+" b}')
}
# median: of the numbers on standard input (the lower middle one of an even count).
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
# ratios A B: "median (min–max)" over the rounds of 100 × RPS[A#r] / RPS[B#r], in per cent.
ratios() {
    for r in $(seq 1 "$ROUND"); do
        awk -v a="${RPS[$1#$r]}" -v b="${RPS[$2#$r]}" 'BEGIN{printf "%.1f\n", 100 * a / b}'
    done | sort -n | awk '{v[NR] = $1} END {printf "%s%% (rounds: %s–%s%%)", v[int((NR + 1) / 2)], v[1], v[NR]}'
}

# smoke URL AUTH: one request must answer 200 with the upstream's reply.
smoke() {
    local code
    code=$(curl -sS -m 30 -o "$TMP/smoke.json" -w '%{http_code}' -H 'Content-Type: application/json' \
        ${2:+-H "Authorization: Bearer $2"} -d '{"model":"bench","messages":[{"role":"user","content":"Say hello"}]}' "$1") \
        || die "request to $1 failed"
    [ "$code" = 200 ] && grep -q 'Hello from [a-z]* upstream' "$TMP/smoke.json" \
        || die "$1 answered $code: $(head -c 400 "$TMP/smoke.json")"
}

# ==== main ==================================================================================================
mkdir -p "$RESULTS"; rm -rf "$RAW"; mkdir -p "$RAW"
ensure_wrk
ensure_binaries
[ "$WITH_LITELLM" = 1 ] && ensure_litellm

# 1. the upstream: precomputed answers on bare SwiftNIO (instant), or the test suites' Hummingbird fake (fake)
if [ "$UPSTREAM" = instant ]; then
    start_server "$TMP/fake.out" "$TMP/fake.err" "$BIN/switchboard-instant-upstream" --host 127.0.0.1 --port 0
else
    start_server "$TMP/fake.out" "$TMP/fake.err" "$BIN/switchboard-fake-upstream" --host 127.0.0.1 --port 0 --no-record
fi
FAKE_PID=$STARTED_PID
FAKE_PORT=$(wait_line "$TMP/fake.out" 's/^listening on \([0-9][0-9]*\).*/\1/p' 30 "$FAKE_PID") \
    || die "$UPSTREAM upstream did not start: $(cat "$TMP/fake.err")"
DIRECT="http://127.0.0.1:$FAKE_PORT/v1/chat/completions"
log "$UPSTREAM upstream pid $FAKE_PID on port $FAKE_PORT"

# 2. the gateway: embedded mode, temp data dir, auth + quota + audit on
DATA="$TMP/data"; mkdir -p "$DATA"
CONFIG="$TMP/switchboard.yaml"
cat >"$CONFIG" <<YAML
listen: 127.0.0.1:0
data_dir: $DATA
log_level: warning
limits:
  rpm: 100000000
  rpd: 1000000000
providers:
  openai_compatible:
    fake:
      base_url: http://127.0.0.1:$FAKE_PORT/v1
      api_key: bench-upstream-key
routes:
  bench:
    targets:
      - provider: openai_compatible:fake
        model: bench
YAML
GW_KEY=$("$BIN/switchboard" keys create --tenant bench --config "$CONFIG" --data-dir "$DATA" 2>"$TMP/keys.err" | tail -n1) \
    || die "keys create failed: $(cat "$TMP/keys.err")"
[ -n "$GW_KEY" ] || die "keys create printed no key"
start_server "$TMP/gw.out" "$TMP/gw.err" "$BIN/switchboard" serve --config "$CONFIG" --data-dir "$DATA"
GW_PID=$STARTED_PID
GW_PORT=$(wait_line "$TMP/gw.out" 's|^Switchboard listening on http://[^:]*:\([0-9][0-9]*\).*|\1|p' 60 "$GW_PID") \
    || die "gateway did not start: $(tail -n 20 "$TMP/gw.err")"
GATEWAY="http://127.0.0.1:$GW_PORT/v1/chat/completions"
log "gateway pid $GW_PID on port $GW_PORT"

smoke "$DIRECT" ""
smoke "$GATEWAY" "$GW_KEY"

# 3. load: direct, a bare Hummingbird + AsyncHTTPClient pass-through (the issue's calibration point), a bare
#    SwiftNIO pass-through (the floor of a proxy on this stack), the gateway, in interleaved rounds
start_server "$TMP/bare.out" "$TMP/bare.err" "$BIN/switchboard-bare-proxy" --port 0 --upstream "http://127.0.0.1:$FAKE_PORT"
BARE_PID=$STARTED_PID
BARE_PORT=$(wait_line "$TMP/bare.out" 's/^listening on \([0-9][0-9]*\).*/\1/p' 30 "$BARE_PID") \
    || die "bare proxy did not start: $(cat "$TMP/bare.err")"
BARE="http://127.0.0.1:$BARE_PORT/v1/chat/completions"
smoke "$BARE" ""
start_server "$TMP/nio.out" "$TMP/nio.err" "$BIN/switchboard-nio-proxy" --port 0 --upstream-port "$FAKE_PORT"
NIO_PID=$STARTED_PID
NIO_PORT=$(wait_line "$TMP/nio.out" 's/^listening on \([0-9][0-9]*\).*/\1/p' 30 "$NIO_PID") \
    || die "nio proxy did not start: $(cat "$TMP/nio.err")"
NIO="http://127.0.0.1:$NIO_PORT/v1/chat/completions"
smoke "$NIO" ""
for ROUND in $(seq 1 "$ROUNDS"); do
    for conns in "$CONNECTIONS" 1; do
        run_wrk direct "$conns" "$DURATION" "$DIRECT" "" "" "$FAKE_PID"
        run_wrk bare_proxy "$conns" "$DURATION" "$BARE" "" "" "$BARE_PID" "$FAKE_PID"
        run_wrk nio_proxy "$conns" "$DURATION" "$NIO" "" "" "$NIO_PID" "$FAKE_PID"
        rss_pid=""; [ "$conns" = "$CONNECTIONS" ] && rss_pid=$GW_PID
        run_wrk switchboard "$conns" "$DURATION" "$GATEWAY" "$GW_KEY" "$rss_pid" "$GW_PID" "$FAKE_PID"
        if [ "$PROMPT_KB" -gt 0 ]; then
            export BENCH_PROMPT_KB=$PROMPT_KB
            run_wrk direct_long "$conns" "$DURATION" "$DIRECT" "" "" "$FAKE_PID"
            run_wrk bare_proxy_long "$conns" "$DURATION" "$BARE" "" "" "$BARE_PID" "$FAKE_PID"
            run_wrk switchboard_long "$conns" "$DURATION" "$GATEWAY" "$GW_KEY" "" "$GW_PID" "$FAKE_PID"
            export BENCH_PROMPT_KB=0
        fi
        export BENCH_STREAM=1
        run_wrk direct_stream "$conns" "$DURATION" "$DIRECT" "" "" "$FAKE_PID"
        run_wrk switchboard_stream "$conns" "$DURATION" "$GATEWAY" "$GW_KEY" "" "$GW_PID" "$FAKE_PID"
        export BENCH_STREAM=0
    done
done
ROUND=$ROUNDS
LABELS=(direct bare_proxy nio_proxy switchboard direct_stream switchboard_stream)
[ "$PROMPT_KB" -gt 0 ] && LABELS+=(direct_long bare_proxy_long switchboard_long)
for label in "${LABELS[@]}"; do aggregate "$label" "$CONNECTIONS"; aggregate "$label" 1; done
RATIO_DIRECT=$(ratios "switchboard@$CONNECTIONS" "direct@$CONNECTIONS")
RATIO_BARE=$(ratios "switchboard@$CONNECTIONS" "bare_proxy@$CONNECTIONS")
RATIO_NIO=$(ratios "nio_proxy@$CONNECTIONS" "direct@$CONNECTIONS")
RATIO_STREAM=$(ratios "switchboard_stream@$CONNECTIONS" "direct_stream@$CONNECTIONS")
if [ "$PROMPT_KB" -gt 0 ]; then
    RATIO_LONG_DIRECT=$(ratios "switchboard_long@$CONNECTIONS" "direct_long@$CONNECTIONS")
    RATIO_LONG_BARE=$(ratios "switchboard_long@$CONNECTIONS" "bare_proxy_long@$CONNECTIONS")
fi
stop_pid "$BARE_PID"; stop_pid "$NIO_PID"
MAX_RSS_KB=$(sort -n "$TMP/rss-switchboard.txt" | tail -n1)
IDLE_RSS_KB=$(awk '/^VmRSS/{print $2}' "/proc/$GW_PID/status")

# 4. time to first byte of a stream
log "TTFB: $STREAM_REQUESTS streamed requests each"
TTFB_DIRECT=$(python3 "$BENCH_DIR/probe.py" ttfb "$DIRECT" --key "" --requests "$STREAM_REQUESTS")
TTFB_GW=$(python3 "$BENCH_DIR/probe.py" ttfb "$GATEWAY" --key "$GW_KEY" --requests "$STREAM_REQUESTS")
AUDITED=$("$BIN/switchboard" requests tail --limit 1 --config "$CONFIG" --data-dir "$DATA" 2>/dev/null | tail -n +2 | wc -l || true)

# 5. start-up time (data dir initialised; the measured instances listen on their own ports)
stop_pid "$GW_PID"
log "start-up: $STARTUP_RUNS starts"
STARTUP=$(python3 "$BENCH_DIR/probe.py" startup --runs "$STARTUP_RUNS" --log "$RAW/startup.log" -- \
    "$BIN/switchboard" serve --config "$CONFIG" --data-dir "$DATA" --listen "127.0.0.1:{port}")

# 6. LiteLLM
TTFB_LITELLM=""
if [ "$WITH_LITELLM" = 1 ] && [ "$LITELLM_STATUS" = ok ]; then
    LL_PORT=$(free_port)
    LL_KEY="sk-bench-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
    cat >"$TMP/litellm.yaml" <<YAML
model_list:
  - model_name: bench
    litellm_params:
      model: openai/bench
      api_base: http://127.0.0.1:$FAKE_PORT/v1
      api_key: x
general_settings:
  master_key: $LL_KEY
YAML
    log "starting LiteLLM on port $LL_PORT (10-15 s)"
    LITELLM_LOCAL_MODEL_COST_MAP=True LITELLM_TELEMETRY=False NO_DOCS=True \
        start_server "$RAW/litellm.out" "$RAW/litellm.err" \
        "$VENV/bin/litellm" --config "$TMP/litellm.yaml" --port "$LL_PORT" --host 127.0.0.1
    LL_PID=$STARTED_PID
    deadline=$((SECONDS + 180))
    until curl -fsS -m 2 -o /dev/null "http://127.0.0.1:$LL_PORT/health/liveliness" 2>/dev/null; do
        kill -0 "$LL_PID" 2>/dev/null || die "LiteLLM exited: $(tail -n 20 "$RAW/litellm.err")"
        [ $SECONDS -lt $deadline ] || die "LiteLLM not ready within 180 s"
        sleep 0.2
    done
    LITELLM="http://127.0.0.1:$LL_PORT/v1/chat/completions"
    smoke "$LITELLM" "$LL_KEY"
    WARMUP=3   # LiteLLM warms up longer
    ROUND=1
    run_wrk litellm "$CONNECTIONS" "$LITELLM_DURATION" "$LITELLM" "$LL_KEY" "" "$LL_PID" "$FAKE_PID"
    run_wrk litellm 1 "$LITELLM_DURATION" "$LITELLM" "$LL_KEY" "" "$LL_PID" "$FAKE_PID"
    aggregate litellm "$CONNECTIONS"; aggregate litellm 1
    TTFB_LITELLM=$(python3 "$BENCH_DIR/probe.py" ttfb "$LITELLM" --key "$LL_KEY" --requests "$STREAM_REQUESTS")
    stop_pid "$LL_PID"
fi

# ==== report ==================================================================================================
ms() { awk -v us="$1" 'BEGIN{printf "%.2f ms", us/1000}'; }
field() { sed "s/.* $2=\([0-9.,]*\).*/\1/" <<<"$1"; }
row() {
    local name=${2:-$1} c="$1@$CONNECTIONS" one="$1@1"
    if [ -z "${RPS[$c]:-}" ]; then printf '| %s | – | – | – | – | – |\n' "$name"; return; fi
    printf '| %s | %.0f | %s | %s | %s | %s |\n' "$name" "${RPS[$c]}" "$(ms "${P50[$c]}")" "$(ms "${P99[$c]}")" \
        "$(ms "${P50[$one]}")" "$(ms "${P99[$one]}")"
}
C=$CONNECTIONS
REPORT=$(
    echo "## Switchboard benchmark — $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "Commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores," \
        "$ROUNDS interleaved rounds of wrk ${DURATION}s per target (medians shown; LiteLLM one run of ${LITELLM_DURATION}s)" \
        "after a warm-up (2 s; LiteLLM 3 s);" \
        "POST /v1/chat/completions, model \`bench\`, $UPSTREAM_DESCRIPTION."
    echo
    echo "| target | req/s@$C | p50@$C | p99@$C | p50@1 | p99@1 |"
    echo "|---|---:|---:|---:|---:|---:|"
    row direct; row bare_proxy; row nio_proxy; row switchboard
    if [ "$WITH_LITELLM" = 1 ] && [ "$LITELLM_STATUS" = ok ]; then row litellm
    else printf '| litellm | %s | | | | |\n' "$LITELLM_STATUS"; fi
    if [ "$PROMPT_KB" -gt 0 ]; then
        for label in direct bare_proxy switchboard; do row "${label}_long" "$label, $PROMPT_KB KiB conversation"; done
    fi
    row direct_stream "direct, streamed"; row switchboard_stream "switchboard, streamed"
    echo
    echo "- added latency at 1 connection (switchboard − direct): p50 $(ms $((P50[switchboard@1] - P50[direct@1])))," \
        "p99 $(ms $((P99[switchboard@1] - P99[direct@1]))); bare proxy − direct: p50" \
        "$(ms $((P50[bare_proxy@1] - P50[direct@1]))), p99 $(ms $((P99[bare_proxy@1] - P99[direct@1]))); nio proxy −" \
        "direct: p50 $(ms $((P50[nio_proxy@1] - P50[direct@1]))), p99 $(ms $((P99[nio_proxy@1] - P99[direct@1])))"
    if [ "$PROMPT_KB" -gt 0 ]; then
        echo "- with the $PROMPT_KB KiB conversation: added p50 at 1 connection $(ms $((P50[switchboard_long@1] - P50[direct_long@1])))" \
            "(bare proxy $(ms $((P50[bare_proxy_long@1] - P50[direct_long@1])))); throughput at $C connections" \
            "switchboard/direct $RATIO_LONG_DIRECT, switchboard/bare_proxy $RATIO_LONG_BARE; CPU: gateway $(awk '{print $1}' <<<"${CPU[switchboard_long@$C]}")"
    fi
    echo "- throughput ratio at $C connections (median of the rounds' ratios): switchboard/direct $RATIO_DIRECT," \
        "switchboard/bare_proxy $RATIO_BARE, nio_proxy/direct $RATIO_NIO$(awk -v g="${RPS[switchboard@$C]}" \
        -v l="${RPS[litellm@$C]:-}" 'BEGIN{if (l != "") printf ", switchboard (median)/litellm %.1f×", g/l}')"
    echo "- streamed: added p50 at 1 connection $(ms $((P50[switchboard_stream@1] - P50[direct_stream@1])));" \
        "throughput at $C connections switchboard/direct $RATIO_STREAM; CPU: gateway $(awk '{print $1}' <<<"${CPU[switchboard_stream@$C]}")"
    echo "- stream TTFB ($STREAM_REQUESTS requests, 1 connection): direct p50 $(field "$TTFB_DIRECT" p50_ms) ms /" \
        "p99 $(field "$TTFB_DIRECT" p99_ms) ms; switchboard p50 $(field "$TTFB_GW" p50_ms) ms /" \
        "p99 $(field "$TTFB_GW" p99_ms) ms${TTFB_LITELLM:+; litellm p50 $(field "$TTFB_LITELLM" p50_ms) ms / p99 $(field "$TTFB_LITELLM" p99_ms) ms}"
    echo "- gateway max RSS during the $C-connection run: $((MAX_RSS_KB / 1024)) MiB (after the load runs: $((IDLE_RSS_KB / 1024)) MiB)"
    echo "- gateway start-up, exec → first 200 on /health: median $(field "$STARTUP" median_ms) ms" \
        "(runs: $(field "$STARTUP" all_ms) ms)"
    echo "- CPU during the $C-connection runs (100% = one core; last figure = whole machine of $(( $(nproc) * 100 ))%):" \
        "direct: upstream ${CPU[direct@$C]% *}, all ${CPU[direct@$C]##* };" \
        "switchboard: gateway $(awk '{print $1}' <<<"${CPU[switchboard@$C]}"), upstream $(awk '{print $2}' <<<"${CPU[switchboard@$C]}"), all ${CPU[switchboard@$C]##* }${CPU[litellm@$C]:+; litellm: proxy $(awk '{print $1}' <<<"${CPU[litellm@$C]}"), upstream $(awk '{print $2}' <<<"${CPU[litellm@$C]}"), all ${CPU[litellm@$C]##* }}"
    echo "- non-2xx + socket errors: $(for k in "${!NON2XX[@]}"; do [[ $k == *#* ]] || printf '%s %s; ' "$k" "${NON2XX[$k]}"; done)audit rows written: $([ "${AUDITED:-0}" -gt 0 ] && echo yes || echo NO)"
)
echo "$REPORT" | tee "$RESULTS/latest.md"
log "wrote $RESULTS/latest.md (raw wrk output in $RAW)"
