#!/usr/bin/env bash
# A throw-away single-node OpenSearch 2.19.6 for development and the service
# tests, run from Maven Central jars (docker/opensearch/pom.xml): no Docker,
# no tarball, plain HTTP on 127.0.0.1, no security plugin.
#
#   bash docker/opensearch/opensearch.sh start    # build if needed, start, wait for yellow
#   bash docker/opensearch/opensearch.sh status   # print the URL if it is up (exit 0)
#   bash docker/opensearch/opensearch.sh stop     # stop, then delete its home and data
#
# `start` prints OPENSEARCH_URL=http://127.0.0.1:PORT on stdout (everything
# else goes to stderr), so `export "$(bash docker/opensearch/opensearch.sh start)"`
# works. A second `start` while the node is up only prints the URL.
#
# Environment:
#   OPENSEARCH_HOME           node home: data, logs, pid  (/tmp/musashino-opensearch)
#   OPENSEARCH_PORT           HTTP port                   (9200; transport 9300-9399)
#   OPENSEARCH_HEAP           -Xms/-Xmx                   (512m)
#   OPENSEARCH_JAVA_OPTS      extra JVM options
#   OPENSEARCH_LOG_LEVEL      root log level              (WARN; start-up lines at INFO)
#   OPENSEARCH_START_TIMEOUT  seconds to wait for yellow  (120)
#   JAVA_HOME, MVN            the java and mvn to use     (java, mvn on PATH)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TARGET="$HERE/target"
JAR="$TARGET/opensearch-embedded.jar"
STAMP="$TARGET/.built"
MAIN_CLASS=jp.musashino.search.EmbeddedNode

OS_HOME="${OPENSEARCH_HOME:-/tmp/musashino-opensearch}"
OS_HOME="${OS_HOME%/}"
PORT="${OPENSEARCH_PORT:-9200}"
HEAP="${OPENSEARCH_HEAP:-512m}"
START_TIMEOUT="${OPENSEARCH_START_TIMEOUT:-120}"
STOP_TIMEOUT="${OPENSEARCH_STOP_TIMEOUT:-30}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
MVN="${MVN:-mvn}"

MARKER="$OS_HOME/.musashino-opensearch"
PID_FILE="$OS_HOME/opensearch.pid"
PORT_FILE="$OS_HOME/opensearch.port"
LOG_FILE="$OS_HOME/logs/opensearch.log"

say() { echo "opensearch: $*" >&2; }
die() { say "$*"; exit 1; }

# 0 when GET $1 answers 2xx (curl, or python3 when curl is missing).
http_ok() {
    if command -v curl >/dev/null 2>&1; then
        curl -fsS -o /dev/null --max-time 5 "$1" 2>/dev/null
    else
        python3 -c 'import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=5).read()' "$1" 2>/dev/null
    fi
}

healthy() {
    http_ok "http://127.0.0.1:$1/_cluster/health?wait_for_status=yellow&timeout=1s"
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# The pid of our node for this home, if it is alive.
node_pid() {
    local pid
    [ -f "$PID_FILE" ] || return 1
    pid="$(cat "$PID_FILE" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    # Guard against a recycled pid: it must be our launcher with our home.
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$MAIN_CLASS --home $OS_HOME " || return 1
    echo "$pid"
}

show_log() {
    if [ -f "$LOG_FILE" ]; then
        say "last lines of $LOG_FILE:"
        tail -n "${1:-40}" "$LOG_FILE" >&2
    fi
}

needs_build() {
    [ -f "$STAMP" ] && [ -f "$JAR" ] && [ -d "$TARGET/lib" ] || return 0
    [ "$HERE/pom.xml" -nt "$STAMP" ] && return 0
    [ -n "$(find "$HERE/src" -newer "$STAMP" -type f 2>/dev/null | head -n 1)" ] && return 0
    return 1
}

build() {
    local build_log
    command -v "$MVN" >/dev/null 2>&1 || die "mvn not found (apt-get install -y maven)"
    say "building the node from Maven Central jars (mvn package; the first build downloads ~85 MB)"
    # A stale lib/ would keep jars of older versions on the classpath.
    rm -rf "$TARGET/lib" "$STAMP"
    build_log="$(mktemp)"
    if ! "$MVN" -q -B -Dstyle.color=never -f "$HERE/pom.xml" package >"$build_log" 2>&1; then
        cat "$build_log" >&2
        rm -f "$build_log"
        die "mvn -f $HERE/pom.xml package failed"
    fi
    rm -f "$build_log"
    touch "$STAMP"
}

cmd_start() {
    local pid running_port
    if pid="$(node_pid)"; then
        running_port="$(cat "$PORT_FILE" 2>/dev/null || echo "$PORT")"
        if healthy "$running_port"; then
            echo "OPENSEARCH_URL=http://127.0.0.1:$running_port"
            return 0
        fi
        say "node $pid is running but not yet healthy; waiting"
        wait_healthy "$pid" "$running_port"
        return
    fi

    command -v "$JAVA" >/dev/null 2>&1 || die "java not found (apt-get install -y openjdk-17-jre-headless)"
    if needs_build; then build; fi

    if port_in_use "$PORT"; then
        die "port $PORT on 127.0.0.1 is taken by another process; set OPENSEARCH_PORT"
    fi

    if [ -d "$OS_HOME" ] && [ ! -f "$MARKER" ] && [ -n "$(ls -A "$OS_HOME")" ]; then
        die "$OS_HOME exists and was not made by this script; set OPENSEARCH_HOME"
    fi
    # A previous node that died leaves its data: start from an empty one.
    rm -rf "$OS_HOME/data" "$OS_HOME/tmp"
    mkdir -p "$OS_HOME/logs" "$OS_HOME/tmp"
    touch "$MARKER"
    : >"$LOG_FILE"

    local java_opts=(
        "-Xms$HEAP" "-Xmx$HEAP"
        -XX:+UseG1GC -XX:G1ReservePercent=25 -XX:InitiatingHeapOccupancyPercent=30
        -XX:+ExitOnOutOfMemoryError "-XX:ErrorFile=$OS_HOME/logs/hs_err_pid%p.log"
        -Xss1m -XX:-OmitStackTraceInFastThrow
        -Djava.awt.headless=true -Dfile.encoding=UTF-8 -Djna.nosys=true
        -Djava.locale.providers=SPI,CLDR
        "-Djava.io.tmpdir=$OS_HOME/tmp"
        -Dio.netty.noUnsafe=true -Dio.netty.noKeySetOptimization=true
        -Dio.netty.recycler.maxCapacityPerThread=0 -Dio.netty.allocator.numDirectArenas=0
        -Dlog4j.shutdownHookEnabled=false -Dlog4j2.disable.jmx=true
    )
    # shellcheck disable=SC2206  # word splitting of the extra options is wanted
    [ -n "${OPENSEARCH_JAVA_OPTS:-}" ] && java_opts+=($OPENSEARCH_JAVA_OPTS)

    local launcher=()
    command -v setsid >/dev/null 2>&1 && launcher=(setsid)
    say "starting OpenSearch on http://127.0.0.1:$PORT (heap $HEAP, home $OS_HOME)"
    nohup "${launcher[@]}" "$JAVA" "${java_opts[@]}" \
        -cp "$JAR:$TARGET/lib/*" "$MAIN_CLASS" --home "$OS_HOME" --port "$PORT" \
        >>"$LOG_FILE" 2>&1 </dev/null 9>&- &
    pid=$!
    echo "$pid" >"$PID_FILE"
    echo "$PORT" >"$PORT_FILE"
    wait_healthy "$pid" "$PORT"
}

wait_healthy() {
    local pid="$1" port="$2" start=$SECONDS
    while :; do
        if ! kill -0 "$pid" 2>/dev/null; then
            say "the node (pid $pid) exited during start-up"
            show_log
            rm -f "$PID_FILE"
            exit 1
        fi
        if healthy "$port"; then
            say "up after $((SECONDS - start)) s (pid $pid, log $LOG_FILE)"
            echo "OPENSEARCH_URL=http://127.0.0.1:$port"
            return 0
        fi
        if [ $((SECONDS - start)) -ge "$START_TIMEOUT" ]; then
            say "not healthy after $START_TIMEOUT s; stopping pid $pid"
            show_log
            terminate "$pid"
            rm -f "$PID_FILE"
            exit 1
        fi
        sleep 1
    done
}

# TERM, then KILL after STOP_TIMEOUT seconds.
terminate() {
    local pid="$1" waited=0
    kill -TERM "$pid" 2>/dev/null || return 0
    while kill -0 "$pid" 2>/dev/null; do
        if [ "$waited" -ge "$((STOP_TIMEOUT * 5))" ]; then
            say "pid $pid still alive after $STOP_TIMEOUT s; killing it"
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.2
        waited=$((waited + 1))
    done
    # The node was started by this shell only in `start` (timeout): reap it.
    wait "$pid" 2>/dev/null || true
}

cmd_stop() {
    local pid
    if pid="$(node_pid)"; then
        say "stopping pid $pid"
        terminate "$pid"
    else
        say "not running"
    fi
    if [ -f "$MARKER" ]; then
        rm -rf "$OS_HOME"
        say "removed $OS_HOME"
    elif [ -d "$OS_HOME" ]; then
        say "left $OS_HOME alone: it was not made by this script"
    fi
}

cmd_status() {
    local pid port
    if ! pid="$(node_pid)"; then
        say "not running"
        return 3
    fi
    port="$(cat "$PORT_FILE" 2>/dev/null || echo "$PORT")"
    if healthy "$port"; then
        say "running (pid $pid)"
        echo "OPENSEARCH_URL=http://127.0.0.1:$port"
        return 0
    fi
    say "pid $pid is running but http://127.0.0.1:$port is not healthy"
    return 1
}

# One start/stop at a time for a given home (the node itself does not inherit
# the lock: 9>&- above).
lock() {
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$OS_HOME.script-lock"
        flock -w "$((START_TIMEOUT + STOP_TIMEOUT + 600))" 9 || die "another start/stop of $OS_HOME is still running"
    fi
}

case "${1:-}" in
    start) lock; cmd_start ;;
    stop) lock; cmd_stop ;;
    status) cmd_status ;;
    *)
        echo "usage: $0 start|stop|status" >&2
        exit 2
        ;;
esac
