#!/usr/bin/env bash
# Starts every image of the offline set and checks that it really does its job, the way the
# stack uses it: Node 24 runs, Redis answers PING (from the host and from another container),
# FerretDB takes a document over the MongoDB wire protocol and reports healthy, nginx serves its
# page and renders a template from the environment, coturn answers a STUN binding request.
#
#   infra/images/verify.sh            # prints one line per check, exits 1 if any failed
#
# Ports are published on 127.0.0.1 only, on ports the engine picks. Every wait is bounded, and
# every container and network made here is removed on exit. Needs node, with the repository's
# dependencies installed (the mongodb driver checks FerretDB), and curl.
set -euo pipefail

IMAGES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$IMAGES_DIR/../.." && pwd)
# shellcheck source=infra/images/images.env
source "$IMAGES_DIR/images.env"
if [ -z "${DOCKER_HOST:-}" ]; then
  # shellcheck source=scripts/docker/lib.sh
  source "$REPO_ROOT/scripts/docker/lib.sh"
  export DOCKER_HOST=$MESHCALL_DOCKER_HOST
fi
if [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker; else DOCKER=$(command -v docker); fi

run_id="meshcall-verify-$$"
network="$run_id"
failures=0

cleanup() {
  local ids
  ids=$("$DOCKER" ps -aq --filter "label=org.meshcall.verify=$run_id" 2>/dev/null || true)
  # shellcheck disable=SC2086
  [ -z "$ids" ] || "$DOCKER" rm -f -v $ids >/dev/null 2>&1 || true
  "$DOCKER" network rm "$network" >/dev/null 2>&1 || true
  rm -rf "${scratch:-}"
}
trap cleanup EXIT
# set -e ends the script at the first failing command; say which, so a one-off failure can be read.
set -o errtrace # ...inside functions too
trap 'echo "verify: stopped at line $LINENO by a failing command: $BASH_COMMAND" >&2' ERR
scratch=$(mktemp -d)
"$DOCKER" network create --label "org.meshcall.verify=$run_id" "$network" >/dev/null

pass() { printf 'ok    %-9s %s\n' "$1" "$2"; }
fail() {
  printf 'FAIL  %-9s %s\n' "$1" "$2"
  failures=$((failures + 1))
}

start() { # name [docker run options] image [command...]; reachable as NAME on the network
  local name=$1
  shift
  "$DOCKER" run -d --name "$run_id-$name" --network "$network" --network-alias "$name" \
    --label "org.meshcall.verify=$run_id" "$@" >/dev/null
}

published() { # name container-port -> 127.0.0.1:PORT
  "$DOCKER" port "$run_id-$1" "$2" | grep -m1 '^127\.0\.0\.1:'
}

# Runs a check command until it succeeds, at most SECONDS seconds (polling every half second).
eventually() { # seconds command...
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

show_logs_on_failure() { "$DOCKER" logs --tail 20 "$run_id-$1" 2>&1 | sed 's/^/      | /'; }

# --- node ------------------------------------------------------------------------------------
node_version=$("$DOCKER" run --rm "$NODE_IMAGE" node --version 2>&1 || true)
case "$node_version" in
  v24.*) pass node "$NODE_IMAGE runs node $node_version" ;;
  *) fail node "$NODE_IMAGE: node --version said '$node_version'" ;;
esac
npm_as_node=$("$DOCKER" run --rm --user node "$NODE_IMAGE" sh -c 'npm --version && id -un' 2>&1 | tr '\n' ' ' || true)
case "$npm_as_node" in
  *" node "*) pass node "npm $(cut -d' ' -f1 <<<"$npm_as_node") runs as the unprivileged user node" ;;
  *) fail node "npm as user node: '$npm_as_node'" ;;
esac

# --- redis -----------------------------------------------------------------------------------
# The same command docker-compose.yml gives it.
start redis -p 127.0.0.1::6379 "$REDIS_IMAGE" redis-server --appendonly yes --save ""
redis_ping_from_host() {
  local address
  address=$(published redis 6379/tcp) || return 1
  exec 3<>"/dev/tcp/${address%:*}/${address#*:}" || return 1
  printf 'PING\r\n' >&3
  # Empty until read fills it: before redis-server listens, Docker's proxy accepts the connection
  # and then resets it, read fails, and an unset reply would end the script under set -u.
  local reply=''
  read -r -t 2 reply <&3 || true
  exec 3<&-
  [ "${reply%$'\r'}" = "+PONG" ]
}
if eventually 20 redis_ping_from_host; then
  pass redis "$REDIS_IMAGE answers PING on $(published redis 6379/tcp)"
else
  fail redis "$REDIS_IMAGE did not answer PING from the host"
  show_logs_on_failure redis
fi
# Another container reaching it by name is what the services do (protected mode must be off).
if reply=$("$DOCKER" run --rm --network "$network" --label "org.meshcall.verify=$run_id" "$REDIS_IMAGE" \
  redis-cli -h redis ping 2>&1) && [ "$reply" = PONG ]; then
  pass redis "another container on the network gets PONG"
else
  fail redis "another container on the network got '$reply'"
fi
redis_user=$("$DOCKER" exec "$run_id-redis" id -un 2>&1 || true)
if [ "$redis_user" = redis ]; then pass redis "runs as user redis"; else fail redis "runs as '$redis_user'"; fi

# --- ferretdb --------------------------------------------------------------------------------
start ferretdb -p 127.0.0.1::27017 "$MONGO_IMAGE"
ferretdb_healthy() { [ "$("$DOCKER" inspect -f '{{.State.Health.Status}}' "$run_id-ferretdb")" = healthy ]; }
if eventually 60 ferretdb_healthy; then
  pass ferretdb "$MONGO_IMAGE reports healthy (readiness probe)"
else
  fail ferretdb "$MONGO_IMAGE never became healthy"
  show_logs_on_failure ferretdb
fi
mongo_address=$(published ferretdb 27017/tcp || true)
if wire=$(cd "$REPO_ROOT" && MONGO_URL="mongodb://$mongo_address/verify" timeout 30 node -e '
  const { MongoClient } = require("mongodb");
  (async () => {
    const client = new MongoClient(process.env.MONGO_URL, { serverSelectionTimeoutMS: 10000 });
    await client.connect();
    const docs = client.db().collection("docs");
    await docs.insertOne({ _id: "probe", calls: 3 });
    const found = await docs.findOne({ _id: "probe" });
    const { maxWireVersion } = await client.db("admin").command({ hello: 1 });
    await client.close();
    if (found?.calls !== 3) throw new Error("read back " + JSON.stringify(found));
    console.log("wrote and read a document; maxWireVersion " + maxWireVersion);
  })().catch((error) => { console.error(error.message); process.exit(1); });
' 2>&1); then
  pass ferretdb "mongo wire on $mongo_address: $wire"
else
  fail ferretdb "mongo wire on $mongo_address: $wire"
fi

# --- nginx -----------------------------------------------------------------------------------
mkdir -p "$scratch/templates"
# shellcheck disable=SC2016  # ${VERIFY_GREETING} is for envsubst in the container, $host for nginx
printf 'server {\n  listen 8081;\n  location / { default_type text/plain; return 200 "${VERIFY_GREETING} via $host\\n"; }\n}\n' \
  >"$scratch/templates/verify.conf.template"
chmod -R a+rX "$scratch"
start nginx -p 127.0.0.1::8080 -p 127.0.0.1::8081 -e VERIFY_GREETING=rendered \
  -v "$scratch/templates:/etc/nginx/templates:ro" "$NGINX_IMAGE"
nginx_default_page() { curl -fsS -m 2 "http://$(published nginx 8080/tcp)/" | grep -q 'nginx is running'; }
if eventually 20 nginx_default_page; then
  pass nginx "$NGINX_IMAGE serves its page on $(published nginx 8080/tcp)"
else
  fail nginx "$NGINX_IMAGE did not serve its page"
  show_logs_on_failure nginx
fi
templated=$(curl -fsS -m 2 "http://$(published nginx 8081/tcp)/" 2>&1 || true)
if [ "$templated" = "rendered via 127.0.0.1" ]; then
  pass nginx "renders /etc/nginx/templates with the environment"
else
  fail nginx "template answer: '$templated'"
fi
# shellcheck disable=SC2016  # expanded by the container's shell
nginx_users=$("$DOCKER" exec "$run_id-nginx" sh -c 'for p in /proc/[0-9]*; do stat -c %U "$p"; done | sort -u' 2>&1 | tr '\n' ' ')
if [ "$nginx_users" = "nginx " ]; then pass nginx "every process runs as user nginx"; else fail nginx "process owners: $nginx_users"; fi

# --- coturn ----------------------------------------------------------------------------------
coturn_version=$("$DOCKER" run --rm "$COTURN_IMAGE" --version 2>&1 | tail -n1)
if [[ "$coturn_version" =~ ^4\. ]]; then
  pass coturn "$COTURN_IMAGE is coturn $coturn_version"
else
  fail coturn "turnserver --version said '$coturn_version'"
fi
start coturn -p 127.0.0.1::3478/tcp -p 127.0.0.1::3478/udp "$COTURN_IMAGE" \
  --log-file=stdout --no-cli --listening-port=3478 --use-auth-secret --static-auth-secret=verify-only --realm=verify
coturn_tcp_open() {
  local address
  address=$(published coturn 3478/tcp) || return 1
  exec 3<>"/dev/tcp/${address%:*}/${address#*:}" && exec 3<&-
}
if eventually 20 coturn_tcp_open; then
  pass coturn "listens on $(published coturn 3478/tcp)/tcp"
else
  fail coturn "nothing listens on its published TCP port"
  show_logs_on_failure coturn
fi
# A STUN binding over UDP from another container: the server parses and answers a real request.
# shellcheck disable=SC2016  # expanded by the container's shell
stun=$("$DOCKER" run --rm --network "$network" --label "org.meshcall.verify=$run_id" --entrypoint sh "$COTURN_IMAGE" \
  -c 'ip=$(getent hosts coturn | cut -d" " -f1); timeout 10 turnutils_stunclient "$ip"' 2>&1 || true)
if grep -q 'UDP reflexive addr' <<<"$stun"; then
  pass coturn "answers a STUN binding request over UDP"
else
  fail coturn "STUN binding: $(tail -n2 <<<"$stun" | tr '\n' ' ')"
fi
coturn_user=$("$DOCKER" exec "$run_id-coturn" id -un 2>&1 || true)
if [ "$coturn_user" = turnserver ]; then pass coturn "runs as user turnserver"; else fail coturn "runs as '$coturn_user'"; fi

# --- summary ---------------------------------------------------------------------------------
"$DOCKER" image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' |
  grep -E "^($NODE_IMAGE|$REDIS_IMAGE|$MONGO_IMAGE|$NGINX_IMAGE|$COTURN_IMAGE|$MESHCALL_DEBIAN_IMAGE) " |
  sed 's/^/size  /'
if [ "$failures" -gt 0 ]; then
  echo "verify: $failures check(s) failed"
  exit 1
fi
echo "verify: every image works"
