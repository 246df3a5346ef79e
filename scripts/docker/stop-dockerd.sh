#!/usr/bin/env bash
# Stops the engine that start-dockerd.sh started and removes what it created: every container,
# network and volume in it (the engine is meshcall's alone, so all of them are the project's),
# the docker0 bridge and Docker's iptables chains when the engine made them, and its whole root.
#
#   scripts/docker/stop-dockerd.sh                # remove everything, images included
#   scripts/docker/stop-dockerd.sh --keep-images  # keep images and build cache for the next start
#
# Environment: MESHCALL_DOCKER_ROOT (as for start), MESHCALL_DOCKER_KEEP_IMAGES=1 (= --keep-images).
set -euo pipefail

# shellcheck source=scripts/docker/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

keep_images=${MESHCALL_DOCKER_KEEP_IMAGES:-0}
for arg in "$@"; do
  case "$arg" in
    --keep-images) keep_images=1 ;;
    -h | --help)
      sed -n '2,10p' "${BASH_SOURCE[0]}"
      exit 0
      ;;
    *) docker_fail_loudly "unknown argument: $arg (try --help)" ;;
  esac
done

[ "$(id -u)" -eq 0 ] || docker_fail_loudly "stopping dockerd needs root"
if [ ! -d "$MESHCALL_DOCKER_ROOT" ]; then
  docker_log "nothing to stop: $MESHCALL_DOCKER_ROOT does not exist"
  exit 0
fi

# --- What lives inside the engine ------------------------------------------------------------
pid=$(running_dockerd_pid)
if [ -n "$pid" ] && docker_cli_bounded 10 info >/dev/null 2>&1; then
  containers=$(docker_cli_bounded 30 ps -aq || true)
  if [ -n "$containers" ]; then
    docker_log "removing $(wc -w <<<"$containers") container(s)"
    # shellcheck disable=SC2086  # one id per word
    docker_cli_bounded 120 rm -f -v $containers >/dev/null || docker_log "some containers could not be removed"
  fi
  docker_cli_bounded 60 network prune -f >/dev/null || docker_log "networks could not be pruned"
  volumes=$(docker_cli_bounded 30 volume ls -q || true)
  if [ -n "$volumes" ]; then
    docker_log "removing $(wc -w <<<"$volumes") volume(s)"
    # shellcheck disable=SC2086
    docker_cli_bounded 120 volume rm -f $volumes >/dev/null || docker_log "some volumes could not be removed"
  fi
fi

# --- The engine itself -----------------------------------------------------------------------
# Our managed containerd, found by the config path only our engine uses.
containerd_pids() {
  local proc
  for proc in /proc/[0-9]*; do
    if { tr '\0' ' ' <"$proc/cmdline"; } 2>/dev/null | grep -q -- "--config $DOCKER_EXEC_ROOT/containerd/containerd.toml"; then
      printf '%s\n' "${proc#/proc/}"
    fi
  done
}

wait_for_exit() { # pid seconds -> 0 when gone
  local waited=0
  while kill -0 "$1" 2>/dev/null; do
    [ "$waited" -ge $(($2 * 10)) ] && return 1
    sleep 0.1
    waited=$((waited + 1))
  done
}

if [ -n "$pid" ]; then
  docker_log "stopping dockerd (pid $pid)"
  kill -TERM "$pid"
  if ! wait_for_exit "$pid" 30; then
    docker_log "dockerd did not stop within 30 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    wait_for_exit "$pid" 10 || docker_fail_loudly "dockerd (pid $pid) survived SIGKILL"
  fi
fi
for containerd_pid in $(containerd_pids); do
  kill -TERM "$containerd_pid" 2>/dev/null || true
  wait_for_exit "$containerd_pid" 10 || kill -KILL "$containerd_pid" 2>/dev/null || true
done
rm -f "$DOCKER_PIDFILE" "$DOCKER_SOCKET"

# --- What the engine left on the host --------------------------------------------------------
recorded() { [ -f "$DOCKER_STATEFILE" ] && sed -n "s/^$1=//p" "$DOCKER_STATEFILE"; }
if [ "$(recorded BRIDGE_PREEXISTED)" = false ]; then
  # No other engine had made docker0 before ours, so the bridge and the DOCKER* chains are ours.
  ip link delete docker0 2>/dev/null || true
  for table in nat filter; do
    # Delete the rules that jump into Docker's chains or name its bridges, then the chains.
    iptables -t "$table" -S 2>/dev/null | grep -E '^-A ' | grep -E 'DOCKER|docker0|br-[0-9a-f]{12}' |
      grep -vE '^-A DOCKER' | sed 's/^-A /-D /' | while read -r rule; do
        # shellcheck disable=SC2086  # the rule is a list of iptables words
        iptables -t "$table" $rule 2>/dev/null || true
      done
    for chain in $(iptables -t "$table" -S 2>/dev/null | sed -n 's/^-N \(DOCKER[A-Z0-9_-]*\)$/\1/p'); do
      iptables -t "$table" -F "$chain" 2>/dev/null || true
    done
    for chain in $(iptables -t "$table" -S 2>/dev/null | sed -n 's/^-N \(DOCKER[A-Z0-9_-]*\)$/\1/p'); do
      iptables -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
  forward_policy=$(recorded FORWARD_POLICY)
  if [ -n "$forward_policy" ]; then iptables -P FORWARD "$forward_policy" 2>/dev/null || true; fi
  ip_forward=$(recorded IP_FORWARD)
  if [ -n "$ip_forward" ]; then echo "$ip_forward" >/proc/sys/net/ipv4/ip_forward 2>/dev/null || true; fi
fi

# Mounts a killed engine can leave (overlay layers, netns, shm): unmount them first, deepest
# first, so removing the root never reaches through a mount into something else.
unmount_everything_under() {
  local mounts
  mounts=$(awk -v root="$1" '$2 == root || index($2, root "/") == 1 { print $2 }' /proc/self/mounts | sort -r)
  local mountpoint
  for mountpoint in $mounts; do umount -l "$mountpoint" 2>/dev/null || true; done
}
unmount_everything_under "$MESHCALL_DOCKER_ROOT"

if [ "$keep_images" = 1 ]; then
  docker_log "stopped; images and build cache kept in $DOCKER_DATA_ROOT"
else
  rm -rf --one-file-system "$MESHCALL_DOCKER_ROOT"
  docker_log "stopped; removed $MESHCALL_DOCKER_ROOT"
fi
