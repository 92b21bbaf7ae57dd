#!/usr/bin/env bash
# scripts/stop-minio.sh: stop the throwaway S3 server that scripts/start-minio.sh
# started, and delete its data.
#
# It ends only the processes that start-minio.sh recorded in its state file, by pid
# (never by name: other MinIO or Ceph processes on the machine are none of its
# business), and only while their command line still names the recorded data dir,
# since a pid can be reused by an unrelated process after its owner exits. Each gets
# SIGTERM, then SIGKILL if it is still there after a few seconds; the script waits
# until they are gone, then removes the data directory and the state file.
# A Docker-run MinIO is ended the same way by `docker stop` on its recorded container.
#
# With nothing running it says so and exits 0, so it is safe to call unconditionally
# (e.g. in a CI cleanup step).
#
# Environment: S3LITE_STATE_DIR (default /tmp/s3lite-server-UID, as in start-minio.sh),
# S3LITE_STOP_TIMEOUT (seconds before SIGKILL, default 5).

set -euo pipefail

readonly MARKER=.s3lite-test-server   # written by start-minio.sh into its data dir
STATE_DIR=${S3LITE_STATE_DIR:-/tmp/s3lite-server-$(id -u)}
STATE_FILE=$STATE_DIR/state
STOP_TIMEOUT=${S3LITE_STOP_TIMEOUT:-5}
case $STOP_TIMEOUT in '' | *[!0-9]*) STOP_TIMEOUT=5 ;; esac

log() { printf 'stop-minio: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

if [ ! -f "$STATE_FILE" ]; then
  log "no s3lite test server is running (no state in $STATE_DIR)"
  exit 0
fi
if [ -L "$STATE_DIR" ] || [ ! -O "$STATE_DIR" ]; then
  die "$STATE_DIR is not a directory owned by $(id -un); not trusting its state file"
fi

# Wait for a start-minio.sh that is still starting, so that we stop everything it
# started rather than half of it.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$STATE_DIR/lock"
  flock -w 120 9 || die "timed out waiting for another start-minio.sh/stop-minio.sh to finish"
  if [ ! -f "$STATE_FILE" ]; then
    log "no s3lite test server is running"
    exit 0
  fi
fi

# key=value lines; parsed, never sourced (the file lives under /tmp).
BACKEND='' DATA_DIR='' PIDS='' CONTAINER='' ENDPOINT=''
while IFS='=' read -r k v; do
  case $k in
    backend) BACKEND=$v ;;
    data_dir) DATA_DIR=$v ;;
    pids) PIDS=$v ;;
    container) CONTAINER=$v ;;
    endpoint) ENDPOINT=$v ;;
  esac
done <"$STATE_FILE"

# Alive, and its command line names our data dir (see the header for why).
pid_is_ours() {
  local pid=$1 cmd
  [ -n "$DATA_DIR" ] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [ -r "/proc/$pid/cmdline" ]; then
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
  else
    cmd=$(ps -p "$pid" -o args= 2>/dev/null || true)
  fi
  case $cmd in *"$DATA_DIR"*) return 0 ;; *) return 1 ;; esac
}
# Prints the recorded pids that are still ours.
ours() {
  local pid
  for pid in "$@"; do
    if pid_is_ours "$pid"; then printf '%s ' "$pid"; fi
  done
}
# Polls until none of the pids is ours any more (they were started by another shell,
# so `wait` cannot be used), for at most $1 seconds.
wait_gone() {
  local tenths=$(($1 * 10)) i
  shift
  for ((i = 0; i < tenths; i++)); do
    [ -n "$(ours "$@")" ] || return 0
    sleep 0.1
  done
  [ -z "$(ours "$@")" ]
}

# One at a time, in reverse start order (radosgw, OSD, monitor): each daemon shuts down
# while the ones it reports to still run. (Stopped together, the OSD spends
# `osd mon shutdown timeout` = 5 s trying to tell a monitor that is already gone.)
read -r -a recorded <<<"$PIDS"
stopped=()
for ((i = ${#recorded[@]} - 1; i >= 0; i--)); do
  pid=${recorded[i]}
  pid_is_ours "$pid" || continue
  kill -TERM "$pid" 2>/dev/null || continue
  stopped+=("$pid")
  if ! wait_gone "$STOP_TIMEOUT" "$pid"; then
    log "pid $pid still running ${STOP_TIMEOUT}s after SIGTERM; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone 10 "$pid" || die "could not stop pid $pid"
  fi
done

if [ -n "$CONTAINER" ]; then
  if command -v docker >/dev/null 2>&1; then
    # docker stop: SIGTERM, then SIGKILL after the timeout; rm -v drops its volume.
    docker stop -t "$STOP_TIMEOUT" "$CONTAINER" >/dev/null 2>&1 && stopped+=("container ${CONTAINER:0:12}")
    docker rm -f -v "$CONTAINER" >/dev/null 2>&1 || true
  else
    log "warning: container $CONTAINER is recorded but there is no docker command to stop it"
  fi
fi

# Delete the data dir only if start-minio.sh's marker is in it: a damaged or foreign
# state file must not make this script delete an arbitrary directory.
case $DATA_DIR in
  /*) if [ -d "$DATA_DIR" ] && [ -f "$DATA_DIR/$MARKER" ]; then rm -rf "$DATA_DIR"; fi ;;
  *) [ -z "$DATA_DIR" ] || log "warning: not deleting data dir '$DATA_DIR' (not an absolute path)" ;;
esac
rm -f "$STATE_FILE"

if [ "${#stopped[@]}" -gt 0 ]; then
  log "stopped ${BACKEND:-server} at ${ENDPOINT:-?} (${stopped[*]}); removed ${DATA_DIR:-nothing}"
else
  log "no s3lite test server is running (its recorded processes had already exited); removed its state and ${DATA_DIR:-data}"
fi
