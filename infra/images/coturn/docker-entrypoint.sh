#!/bin/sh
# Like coturn/coturn's entrypoint: arguments starting with "-" are options for turnserver; any
# other command (turnutils_uclient, sh) runs as given. Unlike it, nothing here looks up the
# external IP on the internet: pass --external-ip yourself where the relay sits behind NAT.
set -eu

if [ $# -eq 0 ] || [ "${1#-}" != "$1" ]; then
  set -- turnserver "$@"
fi

exec "$@"
