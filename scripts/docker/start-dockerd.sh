#!/usr/bin/env bash
# Starts meshcall's own Docker engine and prints the DOCKER_HOST to use:
#
#   eval "$(scripts/docker/start-dockerd.sh)"     # exports DOCKER_HOST
#
# Installs Debian's docker.io, docker-compose (v1.29; the v2 plugin is not packaged) and
# debootstrap when missing, then runs dockerd by hand (this machine has no init system to do
# it) with every path under MESHCALL_DOCKER_ROOT [/var/lib/meshcall-docker]. Idempotent: an
# engine that is already up is reused. Exits non-zero with a loud message when the engine
# cannot start, so callers can say so and run only the local tiers.
#
# Environment: MESHCALL_DOCKER_ROOT, MESHCALL_DOCKERD_TIMEOUT [90 s],
# MESHCALL_DOCKER_STORAGE_DRIVER [dockerd's choice; overlay2 here].
set -euo pipefail

# shellcheck source=scripts/docker/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DOCKERD_TIMEOUT=${MESHCALL_DOCKERD_TIMEOUT:-90}

[ "$(id -u)" -eq 0 ] || docker_fail_loudly "dockerd must be started as root (run this script as root)"

# --- Debian packages -------------------------------------------------------------------------
install_missing_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  [ ${#missing[@]} -eq 0 ] && return 0

  docker_log "installing ${missing[*]}"
  # docker.io's maintainer scripts would try to start the system-wide daemon; policy-rc.d tells
  # them not to (this script starts its own). Only remove the file if this script made it.
  local made_policy=false
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    made_policy=true
  fi
  # The images' installer: fresh package lists, and the newest version the mirror really serves.
  local status=0
  INSTALL_PACKAGES_KEEP_LISTS=1 INSTALL_PACKAGES_QUIET=1 \
    "$(dirname "${BASH_SOURCE[0]}")/../../infra/images/debian/install_packages" "${missing[@]}" >&2 || status=$?
  [ "$made_policy" = true ] && rm -f /usr/sbin/policy-rc.d
  [ "$status" -eq 0 ] || docker_fail_loudly "could not install ${missing[*]} (status $status; the reason is above)"
}

install_missing_packages

# --- Reuse an engine that is already up ------------------------------------------------------
engine_answers() { docker_cli_bounded 10 info >/dev/null 2>&1; }

# The default bridge's subnet, as the engine reports it.
bridge_subnet() { docker_cli_bounded 10 network inspect bridge --format '{{range .IPAM.Config}}{{.Subnet}}{{end}}' 2>/dev/null; }

# An engine on Docker's default addresses would put test traffic on 172.17/16 and 192.168/16.
require_test_addresses() {
  local subnet expected
  subnet=$(bridge_subnet)
  expected="${MESHCALL_DOCKER_BRIDGE_CIDR%.*}.0/${MESHCALL_DOCKER_BRIDGE_CIDR#*/}"
  [ "$subnet" = "$expected" ] && return 0
  docker_fail_loudly "the engine's default bridge is on ${subnet:-an unknown subnet}, not $expected:" \
    "it was started without this script's address flags; stop it with scripts/docker/stop-dockerd.sh and try again"
}

print_docker_host() {
  docker_log "engine is up: $(docker_cli_bounded 10 info --format 'Docker {{.ServerVersion}}, storage {{.Driver}}, cgroup {{.CgroupDriver}}, data {{.DockerRootDir}}')"
  printf 'export DOCKER_HOST=%s\n' "$MESHCALL_DOCKER_HOST"
}

existing_pid=$(running_dockerd_pid)
if [ -n "$existing_pid" ]; then
  if engine_answers; then
    docker_log "reusing dockerd (pid $existing_pid)"
    require_test_addresses
    print_docker_host
    exit 0
  fi
  docker_fail_loudly "dockerd (pid $existing_pid) is running but does not answer on $MESHCALL_DOCKER_HOST;" \
    "stop it with scripts/docker/stop-dockerd.sh and try again (log: $DOCKER_LOGFILE)"
fi
rm -f "$DOCKER_PIDFILE" "$DOCKER_SOCKET"

# --- Start it --------------------------------------------------------------------------------
mkdir -p "$DOCKER_DATA_ROOT" "$DOCKER_EXEC_ROOT"
chmod 0711 "$MESHCALL_DOCKER_ROOT"
if [ ! -f "$DOCKER_STATEFILE" ]; then
  # dockerd creates the docker0 bridge and its iptables chains, turns on IP forwarding and sets
  # the FORWARD policy to DROP, and leaves all of it behind when it stops. What the host looked
  # like before is written down here so that stop-dockerd.sh puts back exactly that.
  if ip link show docker0 >/dev/null 2>&1; then bridge_preexisted=true; else bridge_preexisted=false; fi
  forward_policy=$(iptables -S FORWARD 2>/dev/null | sed -n 's/^-P FORWARD //p')
  {
    printf 'BRIDGE_PREEXISTED=%s\n' "$bridge_preexisted"
    printf 'FORWARD_POLICY=%s\n' "${forward_policy:-ACCEPT}"
    printf 'IP_FORWARD=%s\n' "$(cat /proc/sys/net/ipv4/ip_forward 2>/dev/null || echo 1)"
  } >"$DOCKER_STATEFILE"
fi

dockerd_args=(
  --data-root "$DOCKER_DATA_ROOT"
  --exec-root "$DOCKER_EXEC_ROOT"
  --host "$MESHCALL_DOCKER_HOST"
  --pidfile "$DOCKER_PIDFILE"
  # A port published on the default bridge network without an address (plain `docker run -p`,
  # Testcontainers' default) binds to loopback, never to every interface. User-defined networks
  # (compose's) do not inherit this: they take com.docker.network.bridge.host_binding_ipv4, or
  # an address in the port itself (Docker 20.10 has no daemon-wide default for them).
  --ip 127.0.0.1
  # Every address the engine hands out (the default bridge, compose's and Testcontainers'
  # networks) comes from 198.19.0.0/16, inside the benchmarking block 198.18.0.0/15 that tests
  # may use, never from Docker's defaults (172.17.0.0/16, then 172.18-31 and 192.168.0.0/16).
  # The network tier's namespaces use 198.18.N.0/24, so the two never overlap.
  --bip "$MESHCALL_DOCKER_BRIDGE_CIDR"
  --default-address-pool "base=$MESHCALL_DOCKER_ADDRESS_POOL,size=24"
  # Own containerd namespaces, so a system containerd (if any) never mixes its containers with ours.
  --containerd-namespace meshcall
  --containerd-plugins-namespace meshcall-plugins
  --log-opt max-size=10m --log-opt max-file=2
)
if [ -n "${MESHCALL_DOCKER_STORAGE_DRIVER:-}" ]; then
  dockerd_args+=(--storage-driver "$MESHCALL_DOCKER_STORAGE_DRIVER")
fi

docker_log "starting dockerd (root $MESHCALL_DOCKER_ROOT, log $DOCKER_LOGFILE)"
# setsid: the engine outlives this script and the shell that ran it.
setsid dockerd "${dockerd_args[@]}" >>"$DOCKER_LOGFILE" 2>&1 </dev/null &
launched_pid=$!

# dockerd logs its gRPC chatter at info level: show the errors, then the very last lines.
show_startup_errors() {
  {
    grep -E 'level=(error|fatal)' "$DOCKER_LOGFILE" | tail -n 10
    grep -v 'module=grpc' "$DOCKER_LOGFILE" | tail -n 5
  } >&2 || true
}

deadline=$((SECONDS + DOCKERD_TIMEOUT))
until engine_answers; do
  if ! kill -0 "$launched_pid" 2>/dev/null; then
    show_startup_errors
    docker_fail_loudly "dockerd exited while starting (its errors above; whole log: $DOCKER_LOGFILE)." \
      "Docker tiers cannot run on this machine; run only the local tiers."
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    show_startup_errors
    kill "$launched_pid" 2>/dev/null || true
    docker_fail_loudly "dockerd did not answer within ${DOCKERD_TIMEOUT}s (its errors above; whole log: $DOCKER_LOGFILE)." \
      "Docker tiers cannot run on this machine; run only the local tiers."
  fi
  sleep 0.5
done

require_test_addresses
print_docker_host
