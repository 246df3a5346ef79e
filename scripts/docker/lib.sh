# shellcheck shell=bash disable=SC2034  # sourced: the callers use these names
# Shared by start-dockerd.sh and stop-dockerd.sh (sourced, not run).
#
# meshcall runs its own dockerd rather than whatever engine the machine may have: every file it
# writes lives under MESHCALL_DOCKER_ROOT (outside the repository, so git never sees image
# layers), and stopping it can remove everything it made without touching another engine.

MESHCALL_DOCKER_ROOT=${MESHCALL_DOCKER_ROOT:-/var/lib/meshcall-docker}
# The socket and the pid file live under the root too, so one directory holds the whole engine.
DOCKER_DATA_ROOT="$MESHCALL_DOCKER_ROOT/data"
DOCKER_EXEC_ROOT="$MESHCALL_DOCKER_ROOT/exec"
DOCKER_SOCKET="$MESHCALL_DOCKER_ROOT/docker.sock"
DOCKER_PIDFILE="$MESHCALL_DOCKER_ROOT/dockerd.pid"
DOCKER_LOGFILE="$MESHCALL_DOCKER_ROOT/dockerd.log"
# Remembers what start-dockerd.sh created outside the root (the bridge), so stop removes only that.
DOCKER_STATEFILE="$MESHCALL_DOCKER_ROOT/created-by-start.env"
MESHCALL_DOCKER_HOST="unix://$DOCKER_SOCKET"
# The engine's addresses (start-dockerd.sh says why these): the default bridge, and the pool
# every other network (compose's, Testcontainers') is cut from in /24s.
MESHCALL_DOCKER_BRIDGE_CIDR=198.19.255.1/24
MESHCALL_DOCKER_ADDRESS_POOL=198.19.0.0/17

docker_log() { printf 'meshcall-docker: %s\n' "$*" >&2; }

# A failure callers must not miss: they fall back to the local tiers when they see it.
docker_fail_loudly() {
  {
    printf '\n'
    printf '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n'
    printf '!!! meshcall-docker: %s\n' "$@"
    printf '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n'
    printf '\n'
  } >&2
  exit 1
}

# The pid of our dockerd if it is alive, else nothing.
running_dockerd_pid() {
  [ -f "$DOCKER_PIDFILE" ] || return 0
  local pid
  pid=$(cat "$DOCKER_PIDFILE" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q dockerd "/proc/$pid/comm" 2>/dev/null; then
    printf '%s\n' "$pid"
  fi
}

# Debian's client (/usr/bin/docker, from docker.io) matches the daemon's API exactly; a newer
# client elsewhere on PATH would also negotiate down, but one version pair is easier to reason about.
if [ -x /usr/bin/docker ]; then DOCKER_CLIENT=/usr/bin/docker; else DOCKER_CLIENT=$(command -v docker || echo docker); fi
docker_cli() { DOCKER_HOST="$MESHCALL_DOCKER_HOST" "$DOCKER_CLIENT" "$@"; }
# Same, given up after SECONDS: a hung engine must not hang the caller.
docker_cli_bounded() {
  local seconds=$1
  shift
  DOCKER_HOST="$MESHCALL_DOCKER_HOST" timeout "$seconds" "$DOCKER_CLIENT" "$@"
}
