#!/bin/sh
# As in the official nginx image: before nginx starts, run the executable *.sh scripts in
# /docker-entrypoint.d and source the *.envsh ones (they may export variables), in version
# order; other commands run as given. NGINX_ENTRYPOINT_QUIET_LOGS=1 silences this script.
set -eu

entrypoint_log() {
  [ -n "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ] || printf '%s\n' "$*"
}

if [ "${1:-}" = nginx ]; then
  for script in $(find /docker-entrypoint.d/ -follow -type f -print | sort -V); do
    case "$script" in
      *.envsh)
        if [ -x "$script" ]; then
          entrypoint_log "$0: sourcing $script"
          # shellcheck disable=SC1090
          . "$script"
        fi
        ;;
      *.sh)
        if [ -x "$script" ]; then
          entrypoint_log "$0: running $script"
          "$script"
        fi
        ;;
    esac
  done
  entrypoint_log "$0: configuration complete; ready for start up"
fi

exec "$@"
