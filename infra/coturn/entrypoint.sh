#!/bin/sh
# Starts coturn with the production config plus this deployment's values, taken from the
# environment (coturn itself reads none):
#   TURN_SECRET       required: the TURN REST API secret, the same value the rooms service has
#   TURN_REALM        [meshcall]
#   TURN_EXTERNAL_IP  the public address clients reach (NAT / Docker bridge); "public/private"
#                     maps one to the other. Unset: coturn announces the address it listens on.
#   TURN_MIN_PORT, TURN_MAX_PORT  the UDP relay range, both or neither; unset: the config's
#                     (49152-65535, for host networking). Docker's bridge publishes each port of
#                     the range on its own, so docker-compose.yml narrows it. total-quota is then
#                     set to the range's size: every allocation takes one relay port.
#   COTURN_BASE_CONFIG [/etc/coturn/turnserver.conf]
# Extra arguments are passed to turnserver. The rendered file is readable by this user only and
# lives in a fresh private folder; the secret never appears on a command line.
set -eu

fail() {
  echo "coturn entrypoint: $*" >&2
  exit 1
}

base_config=${COTURN_BASE_CONFIG:-/etc/coturn/turnserver.conf}
realm=${TURN_REALM:-meshcall}
[ -r "$base_config" ] || fail "cannot read $base_config"
[ -n "${TURN_SECRET:-}" ] || fail "TURN_SECRET is not set (use the value the rooms service has)"
# A line break would let a value add arbitrary options to the config.
newline='
'
case "$TURN_SECRET$realm${TURN_EXTERNAL_IP:-}" in
  *"$newline"*) fail "TURN_SECRET, TURN_REALM and TURN_EXTERNAL_IP must each be one line" ;;
esac

relay_range=
if [ -n "${TURN_MIN_PORT:-}${TURN_MAX_PORT:-}" ]; then
  case "${TURN_MIN_PORT:-}:${TURN_MAX_PORT:-}" in
    *[!0-9:]* | :* | *:) fail "TURN_MIN_PORT and TURN_MAX_PORT must both be port numbers" ;;
  esac
  [ "$TURN_MIN_PORT" -ge 1024 ] && [ "$TURN_MIN_PORT" -le "$TURN_MAX_PORT" ] && [ "$TURN_MAX_PORT" -le 65535 ] ||
    fail "TURN_MIN_PORT-TURN_MAX_PORT ($TURN_MIN_PORT-$TURN_MAX_PORT) is not a range within 1024-65535"
  relay_range=yes
fi

umask 077
run_dir=$(mktemp -d "${TMPDIR:-/tmp}/coturn.XXXXXX")
config="$run_dir/turnserver.conf"
{
  cat "$base_config"
  echo
  echo "# --- Deployment values (infra/coturn/entrypoint.sh) ---"
  echo "realm=$realm"
  echo "static-auth-secret=$TURN_SECRET"
  echo "pidfile=$run_dir/turnserver.pid"
  if [ -n "$relay_range" ]; then
    echo "min-port=$TURN_MIN_PORT"
    echo "max-port=$TURN_MAX_PORT"
    echo "total-quota=$((TURN_MAX_PORT - TURN_MIN_PORT + 1))"
  fi
  if [ -n "${TURN_EXTERNAL_IP:-}" ]; then
    echo "external-ip=$TURN_EXTERNAL_IP"
  fi
} >"$config"

exec turnserver -c "$config" "$@"
