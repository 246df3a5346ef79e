#!/bin/sh
# Behaves like the official redis image's entrypoint where compose files rely on it: arguments
# starting with "-" are options for redis-server, and unless a config file given as the first
# argument sets protected-mode itself, redis-server runs with protected mode off, so other
# containers on the compose network can reach it (the container network is the boundary here,
# not the loopback interface). Put `--requirepass` in the options where that network is shared.
set -eu

[ $# -gt 0 ] || set -- redis-server
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi

if [ "$1" = redis-server ]; then
  case "${2:-}" in
    -v | --version | -h | --help) exec "$@" ;;
  esac
  config_file=
  if [ -n "${2:-}" ] && [ -f "$2" ]; then
    config_file=$2
  fi
  if [ -z "$config_file" ] || ! grep -q '^protected-mode' "$config_file"; then
    shift
    [ -n "$config_file" ] && shift
    set -- --protected-mode no "$@"
    [ -n "$config_file" ] && set -- "$config_file" "$@"
    set -- redis-server "$@"
  fi
fi

exec "$@"
