#!/usr/bin/env bash
# scripts/start-minio.sh: start a throwaway S3 server on loopback for s3lite's tests.
#
#   eval "$(scripts/start-minio.sh)"   # start it (or reuse it) and export its variables
#   scripts/stop-minio.sh              # stop it and delete its data
#
# Which server it starts, first match wins:
#   1. MinIO, if a `minio` binary is on PATH;
#   2. MinIO in a container, if a Docker ENGINE answers (`docker info` succeeds; a
#      docker client with no engine behind it does not count);
#   3. otherwise a single-node Ceph cluster from Debian's packages: one ceph-mon, one
#      memstore ceph-osd and radosgw (a production S3 server). When run as root and
#      the packages are missing, it installs them with apt-get.
#   S3LITE_S3_BACKEND=minio|docker|ceph skips the detection and forces one.
#
# Output contract: stdout carries ONLY `export NAME=value` lines (S3LITE_SERVER_REUSED,
# S3_ENDPOINT, AWS_ENDPOINT_URL_S3, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION,
# S3_BUCKET), so that
# `eval "$(scripts/start-minio.sh)"` works. Progress and errors go to stderr.
# Daemon logs go to files in the data directory (/tmp/s3lite-XXXXXX).
#
# Already running? DECISION: if the state file says a server started by this script
# is running, and it answers a signed S3 request at the requested port, the script
# prints the same export lines again and exits 0, with a note on stderr. Test runners
# can then call it every time without first checking. If the server is recorded but
# does not answer, or runs on another port, the script refuses ("already running
# (pids ...); run scripts/stop-minio.sh first") and exits 1. If none of the recorded
# processes is alive any more (after a reboot, say), the stale state is removed and
# a new server started.
#
# Environment (all optional):
#   S3LITE_S3_PORT        S3 port on 127.0.0.1 (default 9000)
#   S3LITE_MON_PORT       Ceph monitor port (default 9100); MinIO's console port when
#                         a minio binary is used
#   S3LITE_STATE_DIR      where the pids and the data dir are recorded
#                         (default /tmp/s3lite-server-UID; per user, so that two users
#                         of one machine do not trip over each other's state)
#   S3LITE_START_TIMEOUT  seconds to wait for the server, not counting apt-get (60)
#   S3LITE_S3_BACKEND     auto (default), minio, docker or ceph
#   S3LITE_MINIO_IMAGE    container image for the Docker case (minio/minio)
#
# Exit status: 0 when the server answers signed requests and the bucket exists;
# non-zero with a message on stderr otherwise (processes it started are then stopped;
# their logs are kept and their last lines shown).

set -euo pipefail

# The real stdout is kept on fd 3 and used for the export lines only. Everything else,
# including the output of apt-get and the ceph tools, goes to stderr, so nothing stray
# can end up in the caller's `eval`.
exec 3>&1 1>&2

readonly REGION=us-east-1
readonly BUCKET=s3lite-test                # bucket names must be 3-63 characters
readonly ACCESS_KEY=s3litetestaccesskey    # MinIO wants >= 3 characters
readonly SECRET_KEY=s3litetestsecretkey42  # MinIO wants >= 8 characters
# curl's --aws-sigv4 (7.88) also needs the payload hash header when signing for S3;
# every request made here has an empty body, so this is the SHA-256 of "".
readonly EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
readonly MARKER=.s3lite-test-server        # marks a data dir that stop-minio.sh may delete

S3_PORT=${S3LITE_S3_PORT:-9000}
MON_PORT=${S3LITE_MON_PORT:-9100}
STATE_DIR=${S3LITE_STATE_DIR:-/tmp/s3lite-server-$(id -u)}
STATE_FILE=$STATE_DIR/state
START_TIMEOUT=${S3LITE_START_TIMEOUT:-60}
BACKEND=${S3LITE_S3_BACKEND:-auto}
MINIO_IMAGE=${S3LITE_MINIO_IMAGE:-minio/minio}
ENDPOINT=http://127.0.0.1:$S3_PORT

# What this run has started; written to the state file as soon as it exists, so that
# stop-minio.sh can clean up even after an interrupted start.
DATA_DIR=
PIDS=()
CONTAINER=
OWN_STATE=0
SUCCESS=0
DEADLINE=0

log() { printf 'start-minio: %s\n' "$*" >&2; }
FAILURE=
die() {
  FAILURE=$*
  log "error: $*"
  exit 1
}

is_port_number() {
  case $1 in '' | *[!0-9]*) return 1 ;; esac
  [ "$1" -ge 1 ] && [ "$1" -le 65535 ]
}
is_port_number "$S3_PORT" || die "S3LITE_S3_PORT must be a port number, not '$S3_PORT'"
is_port_number "$MON_PORT" || die "S3LITE_MON_PORT must be a port number, not '$MON_PORT'"
[ "$S3_PORT" != "$MON_PORT" ] || die "S3LITE_S3_PORT and S3LITE_MON_PORT must differ"
case $START_TIMEOUT in '' | *[!0-9]*) die "S3LITE_START_TIMEOUT must be a number of seconds" ;; esac
case $BACKEND in auto | minio | docker | ceph) ;; *) die "S3LITE_S3_BACKEND must be auto, minio, docker or ceph" ;; esac

# Milliseconds since the epoch, for the timings shown in the log.
now_ms() {
  local t
  t=$(date +%s%N 2>/dev/null || true)
  case $t in
    '' | *N*) echo $(($(date +%s) * 1000)) ;;
    *) echo $((t / 1000000)) ;;
  esac
}
T0=$(now_ms)
elapsed() {
  local ms=$(($(now_ms) - T0))
  printf '%d.%03ds' $((ms / 1000)) $((ms % 1000))
}

# True when something listens on the port. ss sees listeners on any address; the
# /dev/tcp probe is the fallback where ss is missing (it sees only loopback ones,
# which are the ones that matter here).
port_in_use() {
  local port=$1 out
  if command -v ss >/dev/null 2>&1; then
    out=$(ss -Hltn "sport = :$port" 2>/dev/null || true)
    [ -z "$out" ] || return 0
  fi
  (exec 4<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# A pid counts as ours only if it is alive AND its command line names our data dir:
# pids get reused, and this script must never signal a stranger's process.
pid_is_ours() {
  local pid=$1 dir=$2 cmd
  kill -0 "$pid" 2>/dev/null || return 1
  if [ -r "/proc/$pid/cmdline" ]; then
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
  else
    cmd=$(ps -p "$pid" -o args= 2>/dev/null || true)
  fi
  case $cmd in *"$dir"*) return 0 ;; *) return 1 ;; esac
}

container_running() {
  [ -n "$1" ] && [ "$(docker inspect -f '{{.State.Running}}' "$1" 2>/dev/null || true)" = true ]
}

# A SigV4-signed request to the server (path-style URLs).
s3_curl() {
  curl -sS --max-time 10 --aws-sigv4 "aws:amz:$REGION:s3" --user "$ACCESS_KEY:$SECRET_KEY" \
    -H "x-amz-content-sha256: $EMPTY_SHA256" "$@"
}
# Ready means: a signed ListBuckets succeeds, i.e. the server is up AND knows our keys.
s3_ready() { s3_curl -f -o /dev/null "$ENDPOINT/" 2>/dev/null; }

ensure_bucket() {
  local out code
  # Content-Length: 0 because radosgw answers 411 to a PUT without a length.
  out=$(s3_curl -X PUT -H 'Content-Length: 0' -w '\n%{http_code}' "$ENDPOINT/$BUCKET" 2>&1) || true
  code=${out##*$'\n'}
  case $code in
    200) ;;
    409) case $out in *BucketAlreadyOwnedByYou*) ;; *) die "creating bucket $BUCKET failed: $out" ;; esac ;;
    *) die "creating bucket $BUCKET failed (HTTP $code): $out" ;;
  esac
}

# S3LITE_SERVER_REUSED tells a caller that stops servers when it is done (the test
# runner) whether this one was already running before it asked, and so is not its own.
print_exports() {
  printf 'export %s=%s\n' \
    S3LITE_SERVER_REUSED "${1:-0}" \
    S3_ENDPOINT "$ENDPOINT" \
    AWS_ENDPOINT_URL_S3 "$ENDPOINT" \
    AWS_ACCESS_KEY_ID "$ACCESS_KEY" \
    AWS_SECRET_ACCESS_KEY "$SECRET_KEY" \
    AWS_REGION "$REGION" \
    S3_BUCKET "$BUCKET" >&3
}

# The state file is key=value lines. It is parsed, never sourced: it lives under /tmp.
write_state() {
  local tmp=$STATE_FILE.tmp.$$
  {
    echo "backend=$BACKEND"
    echo "data_dir=$DATA_DIR"
    echo "pids=${PIDS[*]}"
    echo "container=$CONTAINER"
    echo "endpoint=$ENDPOINT"
    echo "mon_port=$MON_PORT"
  } >"$tmp"
  mv -f "$tmp" "$STATE_FILE"
  OWN_STATE=1
}
read_state() {
  ST_BACKEND='' ST_DATA_DIR='' ST_PIDS='' ST_CONTAINER='' ST_ENDPOINT=''
  local k v
  while IFS='=' read -r k v; do
    case $k in
      backend) ST_BACKEND=$v ;;
      data_dir) ST_DATA_DIR=$v ;;
      pids) ST_PIDS=$v ;;
      container) ST_CONTAINER=$v ;;
      endpoint) ST_ENDPOINT=$v ;;
    esac
  done <"$STATE_FILE"
}

# Stops the given pids of the given data dir one at a time, in reverse start order
# (radosgw, OSD, monitor): SIGTERM, then SIGKILL after 5 s. One at a time because an
# OSD whose monitor is already gone spends 5 s trying to report its shutdown.
# (They are polled, not `wait`ed for: setsid took them out of our job table's reach.)
stop_pids() {
  local dir=$1 pid i round
  shift
  local pids=("$@")
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[i]}
    for round in TERM KILL; do
      pid_is_ours "$pid" "$dir" || break
      kill "-$round" "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do
        pid_is_ours "$pid" "$dir" || break
        sleep 0.1
      done
    done
  done
}

# On any failure: stop what this run started, forget it, and show the logs' tails.
# The data dir is kept so that the full logs can be read.
on_exit() {
  local rc=$? f
  [ "$SUCCESS" = 1 ] && return 0
  if [ -n "$CONTAINER" ]; then
    docker logs --tail 30 "$CONTAINER" >&2 2>&1 || true
    docker rm -f -v "$CONTAINER" >/dev/null 2>&1 || true
  fi
  if [ "${#PIDS[@]}" -gt 0 ]; then
    stop_pids "$DATA_DIR" "${PIDS[@]}"
  fi
  if [ "$OWN_STATE" = 1 ]; then rm -f "$STATE_FILE"; fi
  if [ -n "$DATA_DIR" ] && [ -d "$DATA_DIR" ]; then
    for f in "$DATA_DIR"/setup.log "$DATA_DIR"/*.out "$DATA_DIR"/mon.a.log \
      "$DATA_DIR"/osd.0.log "$DATA_DIR"/client.rgw.log; do
      [ -s "$f" ] || continue
      printf '\n===== last lines of %s =====\n' "$f" >&2
      tail -n 10 "$f" >&2 || true
    done
    echo >&2
    log "server processes stopped; logs kept in $DATA_DIR (delete it with: rm -rf $DATA_DIR)"
    # Repeat the reason after the logs, where it is seen.
    if [ -n "$FAILURE" ]; then log "FAILED: $FAILURE"; fi
  fi
  [ "$rc" != 0 ] || rc=1
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- state directory and lock ----------------------------------------------------------

# The state dir sits in /tmp: create it private, and refuse one that is not ours or is
# a symlink, since its contents decide which pids stop-minio.sh signals.
mkdir -p "$STATE_DIR"
if [ ! -d "$STATE_DIR" ] || [ -L "$STATE_DIR" ] || [ ! -O "$STATE_DIR" ]; then
  die "$STATE_DIR is not a directory owned by $(id -un); set S3LITE_STATE_DIR elsewhere"
fi
chmod 700 "$STATE_DIR"

# Two starts at once (two test runners) must not both start servers: serialize on a
# lock. fd 9 is closed for the daemons, or they would hold the lock for ever.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$STATE_DIR/lock"
  flock -w 120 9 || die "timed out waiting for another start-minio.sh/stop-minio.sh to finish"
fi

# --- already running? ---------------------------------------------------------------------

if [ -f "$STATE_FILE" ]; then
  read_state
  alive=()
  for pid in $ST_PIDS; do pid_is_ours "$pid" "$ST_DATA_DIR" && alive+=("$pid"); done
  if [ -n "$ST_CONTAINER" ] && container_running "$ST_CONTAINER"; then alive+=("container ${ST_CONTAINER:0:12}"); fi
  if [ "${#alive[@]}" -gt 0 ]; then
    if [ "$ST_ENDPOINT" = "$ENDPOINT" ] && s3_ready; then
      ensure_bucket
      log "already running ($ST_BACKEND at $ST_ENDPOINT, pids ${alive[*]}, data in $ST_DATA_DIR); reusing it"
      print_exports 1
      SUCCESS=1
      exit 0
    fi
    if [ "$ST_ENDPOINT" != "$ENDPOINT" ]; then
      die "already running (pids ${alive[*]}) at $ST_ENDPOINT, not at $ENDPOINT; run scripts/stop-minio.sh first"
    fi
    die "already running (pids ${alive[*]}) at $ST_ENDPOINT, but it does not answer signed S3 requests; run scripts/stop-minio.sh first"
  fi
  # Nothing of it is alive: stale state (a reboot, or its processes were killed).
  log "removing stale state of a server that no longer runs (pids ${ST_PIDS:-none})"
  if [ -n "$ST_DATA_DIR" ] && [ -f "$ST_DATA_DIR/$MARKER" ]; then rm -rf "$ST_DATA_DIR"; fi
  if [ -n "$ST_CONTAINER" ] && command -v docker >/dev/null 2>&1; then
    docker rm -f -v "$ST_CONTAINER" >/dev/null 2>&1 || true
  fi
  rm -f "$STATE_FILE"
fi

# --- ports --------------------------------------------------------------------------------

# Someone else's server on our port would make the tests talk to it: refuse.
port_in_use "$S3_PORT" &&
  die "port $S3_PORT (S3) on 127.0.0.1 is already in use by another program; free it or set S3LITE_S3_PORT"
port_in_use "$MON_PORT" &&
  die "port $MON_PORT (monitor/console) on 127.0.0.1 is already in use by another program; free it or set S3LITE_MON_PORT"

# (Captured rather than piped into grep -q: with pipefail, grep quitting early could
# make curl die of SIGPIPE and the check fail.)
curl_help=$(curl --help all 2>/dev/null || true)
case $curl_help in
  *--aws-sigv4*) ;;
  *) die "curl >= 7.75 (with --aws-sigv4) is needed to check the server; install curl" ;;
esac

# --- which server -------------------------------------------------------------------------

docker_engine_ok() {
  command -v docker >/dev/null 2>&1 || return 1
  # `docker info` fails when there is only a client and no engine (as on some CI
  # machines); a timeout guards against an engine socket that never answers.
  if command -v timeout >/dev/null 2>&1; then
    timeout 15 docker info >/dev/null 2>&1
  else
    docker info >/dev/null 2>&1
  fi
}
if [ "$BACKEND" = auto ]; then
  if command -v minio >/dev/null 2>&1; then
    BACKEND=minio
  elif docker_engine_ok; then
    BACKEND=docker
  else
    BACKEND=ceph
  fi
fi
log "starting $BACKEND on 127.0.0.1:$S3_PORT"

readonly CEPH_PACKAGES="radosgw ceph-mon ceph-osd"
ceph_tools_present() {
  local t
  for t in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph; do
    command -v "$t" >/dev/null 2>&1 || return 1
  done
}
install_ceph() {
  ceph_tools_present && return 0
  local hint="install Debian's packages: apt-get install -y --no-install-recommends $CEPH_PACKAGES (or put a minio binary on PATH, or start a Docker engine)"
  [ "$(id -u)" = 0 ] || die "no minio, no Docker engine, and the Ceph packages are missing; as root, $hint"
  command -v apt-get >/dev/null 2>&1 || die "no minio, no Docker engine, no Ceph and no apt-get; $hint"
  log "installing $CEPH_PACKAGES with apt-get (once per machine) ..."
  export DEBIAN_FRONTEND=noninteractive
  # Package lists may be missing (fresh container) or stale (404 on download): update
  # first when apt does not know the package, and once more if the install fails.
  if ! apt-cache show radosgw >/dev/null 2>&1; then
    apt-get update -q >&2 || die "apt-get update failed"
  fi
  # shellcheck disable=SC2086 # the package list is meant to split into words
  if ! apt-get install -y -q --no-install-recommends $CEPH_PACKAGES >&2; then
    apt-get update -q >&2 || die "apt-get update failed"
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $CEPH_PACKAGES >&2 || die "apt-get install $CEPH_PACKAGES failed"
  fi
  ceph_tools_present || die "the Ceph packages are installed but their tools are not on PATH ($PATH)"
  log "installed Ceph packages ($(elapsed))"
}

case $BACKEND in
  minio) command -v minio >/dev/null 2>&1 || die "S3LITE_S3_BACKEND=minio but no minio binary on PATH" ;;
  docker) docker_engine_ok || die "S3LITE_S3_BACKEND=docker but no Docker engine answers 'docker info'" ;;
  ceph) install_ceph ;;
esac

# --- data dir -----------------------------------------------------------------------------

# Directly under /tmp and short: Ceph's admin socket paths must fit in 107 bytes.
DATA_DIR=$(mktemp -d /tmp/s3lite-XXXXXX)
touch "$DATA_DIR/$MARKER"
write_state
# The wait for the server starts now; apt-get's time does not count against it.
DEADLINE=$((SECONDS + START_TIMEOUT))
remaining() {
  local r=$((DEADLINE - SECONDS))
  [ "$r" -ge 1 ] || r=1
  echo "$r"
}

# Starts a daemon in the background so that it outlives this script: setsid gives it
# its own session (a Ctrl-C or hang-up aimed at the caller's terminal or process group
# does not reach it), nohup ignores SIGHUP anyway. All its output goes to a file in the
# data dir, and fds 3 (the caller's stdout) and 9 (the lock) are closed: a daemon
# holding the caller's stdout open would make `$(scripts/start-minio.sh)` wait for ever.
launch() {
  local name=$1
  shift
  local pre=(nohup)
  if command -v setsid >/dev/null 2>&1; then pre=(setsid nohup); fi
  "${pre[@]}" "$@" </dev/null >"$DATA_DIR/$name.out" 2>&1 3>&- 9>&- &
  PIDS+=("$!")
  printf '\n[%s] started %s, pid %s: %s\n' "$(elapsed)" "$name" "$!" "$*" >>"$DATA_DIR/setup.log"
  write_state
}

# Runs one set-up step with a share of the remaining time, its output in setup.log.
step() {
  local what=$1
  shift
  printf '\n[%s] $ %s\n' "$(elapsed)" "$*" >>"$DATA_DIR/setup.log"
  timeout "$(remaining)" "$@" >>"$DATA_DIR/setup.log" 2>&1 </dev/null 3>&- 9>&- ||
    die "$what failed or timed out (see $DATA_DIR/setup.log)"
}

# Waits until something listens on the port; fails early if one of our processes died.
wait_listening() {
  local port=$1 what=$2
  until port_in_use "$port"; do
    check_alive
    [ "$SECONDS" -lt "$DEADLINE" ] || die "$what did not listen on port $port within ${START_TIMEOUT}s; logs in $DATA_DIR"
    sleep 0.05
  done
}

check_alive() {
  local pid
  for pid in "${PIDS[@]}"; do
    pid_is_ours "$pid" "$DATA_DIR" || die "a server process (pid $pid) exited during start-up; logs in $DATA_DIR"
  done
  if [ -n "$CONTAINER" ] && ! container_running "$CONTAINER"; then
    die "the MinIO container exited during start-up"
  fi
}

# Waits (at most 15 s, then goes on regardless) until the OSD log says it is active.
# radosgw-admin creates pools at once; a pool created while the OSD is still booting
# sometimes stalled the next step for 5 s (seen in about 2 of 100 starts).
# Reading the log costs nothing, unlike asking the monitor with the ceph tool.
wait_osd_active() {
  local limit=$((SECONDS + 15))
  until grep -q 'booting -> active' "$DATA_DIR/osd.0.log" 2>/dev/null; do
    check_alive
    if [ "$SECONDS" -ge "$limit" ] || [ "$SECONDS" -ge "$DEADLINE" ]; then
      printf '\n[%s] OSD not reported active yet; going on\n' "$(elapsed)" >>"$DATA_DIR/setup.log"
      return 0
    fi
    sleep 0.05
  done
  printf '\n[%s] OSD active\n' "$(elapsed)" >>"$DATA_DIR/setup.log"
}

# Waits until the server answers a signed request, failing early if one of our
# processes has died, and at the deadline otherwise.
wait_ready() {
  while ! s3_ready; do
    check_alive
    [ "$SECONDS" -lt "$DEADLINE" ] ||
      die "the S3 server did not answer a signed request within ${START_TIMEOUT}s; logs in $DATA_DIR"
    sleep 0.1
  done
}

# --- MinIO ----------------------------------------------------------------------------------

start_minio_binary() {
  mkdir -p "$DATA_DIR/minio"
  # `env` execs minio in place, so the recorded pid is minio's own.
  launch minio env MINIO_ROOT_USER="$ACCESS_KEY" MINIO_ROOT_PASSWORD="$SECRET_KEY" \
    MINIO_BROWSER=off MINIO_UPDATE=off \
    minio server --quiet --address "127.0.0.1:$S3_PORT" \
    --console-address "127.0.0.1:$MON_PORT" "$DATA_DIR/minio"
}

start_minio_docker() {
  # The data lives in the container and goes away with it; -p binds loopback only.
  CONTAINER=$(docker run -d --name "s3lite-minio-$S3_PORT-$$" \
    -p "127.0.0.1:$S3_PORT:9000" \
    -e "MINIO_ROOT_USER=$ACCESS_KEY" -e "MINIO_ROOT_PASSWORD=$SECRET_KEY" \
    -e MINIO_BROWSER=off -e MINIO_UPDATE=off \
    "$MINIO_IMAGE" server --quiet /data 3>&- 9>&-) || die "docker run $MINIO_IMAGE failed"
  write_state
}

# --- Ceph -----------------------------------------------------------------------------------

start_ceph() {
  local conf=$DATA_DIR/ceph.conf fsid osd_uuid
  fsid=$(cat /proc/sys/kernel/random/uuid)
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  mkdir -p "$DATA_DIR/mon.a" "$DATA_DIR/osd.0" "$DATA_DIR/rgw" "$DATA_DIR/run" "$DATA_DIR/crash"

  # Why each setting (facts found by trying, see the project's notes):
  # - auth none: no keyrings to manage. radosgw still insists on a secure monitor
  #   connection unless `ms mon client mode = crc` (it hangs at start otherwise).
  # - everything on 127.0.0.1, msgr2 only.
  # - one OSD: pool size 1, CRUSH leaves of type osd (0), few PGs, no autoscaler.
  # - paxos propose interval 0.05: with the default 1 s every pool radosgw creates
  #   costs 1-2 s and start-up takes about 12 s.
  # - memstore: data in RAM, fastest start. 8 GiB device (RAM is only used as data
  #   arrives): near full, the cluster marks itself full and every PUT/DELETE HANGS.
  # - short PG logs: with Pacific's defaults a memstore OSD keeps ~50 KiB per write.
  # - tcp_nodelay=1: without it every small sequential GET stalls ~40 ms.
  # - gc after 60 s instead of 2 h, so deleted data is reclaimed during a test run.
  # - mon data avail crit = 0: the mon does not stop on a fullish disk.
  # - every path (logs, sockets, pid files, crash dumps) inside the data dir.
  cat >"$conf" <<EOF
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$MON_PORT]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = false
ms bind msgr2 = true
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
paxos propose interval = 0.05
paxos min wait = 0.01
mon data avail crit = 0
run dir = $DATA_DIR/run
admin socket = $DATA_DIR/run/\$name.asok
pid file = $DATA_DIR/run/\$name.pid
log file = $DATA_DIR/\$name.log
mon cluster log file = $DATA_DIR/cluster.log
crash dir = $DATA_DIR/crash
keyring = $DATA_DIR/keyring

[mon]
mon data = $DATA_DIR/mon.\$id

[osd]
osd data = $DATA_DIR/osd.\$id
osd objectstore = memstore
memstore device bytes = 8589934592
osd min pg log entries = 100
osd max pg log entries = 500
osd target pg log entries per osd = 3000
osd pg log dups tracked = 500

[client]
ms mon client mode = crc

[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$S3_PORT tcp_nodelay=1
rgw data = $DATA_DIR/rgw
rgw gc obj min wait = 60
rgw gc processor period = 60
# Pacific's DeleteObjects deletes keys in parallel coroutines that race on a shared map
# and segfault radosgw now and then (seen here: RGWDeleteMultiObj::handle_individual_object,
# ceph/ceph#49327). One key at a time takes the sequential path.
rgw multi obj del max aio = 1
EOF

  step "monmaptool" monmaptool --create --clobber --fsid "$fsid" \
    --addv a "[v2:127.0.0.1:$MON_PORT]" "$DATA_DIR/monmap"
  step "ceph-mon --mkfs" ceph-mon -c "$conf" --mkfs -i a --monmap "$DATA_DIR/monmap"
  launch mon ceph-mon -f -c "$conf" -i a
  # The OSD's store can be made while the monitor starts; registering the OSD is the
  # first step that needs the monitor, and the ceph tool waits for it to answer.
  step "ceph-osd --mkfs" ceph-osd -c "$conf" -i 0 --mkfs --osd-uuid "$osd_uuid"
  # Wait for the monitor to listen before its first client connects: a client that
  # finds nobody there retries only seconds later (start-up then took ~6 s, not ~1.5).
  wait_listening "$MON_PORT" mon
  step "ceph osd new" ceph -c "$conf" --connect-timeout "$(remaining)" osd new "$osd_uuid" 0
  launch osd ceph-osd -f -c "$conf" -i 0
  wait_osd_active
  # Creating the user before radosgw starts lets radosgw-admin alone create the zone
  # and pools (it waits for the OSD to come up); radosgw then finds them ready.
  step "radosgw-admin user create" radosgw-admin -c "$conf" -n client.rgw user create \
    --uid=s3lite --display-name=s3lite --access-key="$ACCESS_KEY" --secret="$SECRET_KEY"
  launch rgw radosgw -f -c "$conf" -n client.rgw
}

case $BACKEND in
  minio) start_minio_binary ;;
  docker) start_minio_docker ;;
  ceph) start_ceph ;;
esac

wait_ready
printf '\n[%s] answered a signed request\n' "$(elapsed)" >>"$DATA_DIR/setup.log"
ensure_bucket
log "ready at $ENDPOINT, bucket $BUCKET ($BACKEND, pids ${PIDS[*]:-}${CONTAINER:+container ${CONTAINER:0:12}}, data and logs in $DATA_DIR) in $(elapsed)"
log "stop it with scripts/stop-minio.sh"
print_exports
SUCCESS=1
