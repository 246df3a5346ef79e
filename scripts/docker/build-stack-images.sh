#!/usr/bin/env bash
# Builds the stack's own images from this checkout, with docker-compose.yml's build sections:
# meshcall/stack-{auth,rooms,signaling,web,gateway,coturn}:local. The compose smoke test and the
# integration suite's Testcontainers environment both run these tags.
#
#   scripts/docker/build-stack-images.sh                       # FROM the official images (a registry)
#   set -a; . infra/images/images.env; set +a                  # or FROM the offline set
#   scripts/docker/build-stack-images.sh
#
# Environment: DOCKER_HOST (default: meshcall's own engine when its socket exists), the *_IMAGE
# variables of docker-compose.yml, NPM_CI_FLAGS [--offline: from infra/images/npm-cache, which
# scripts/docker/fill-npm-cache.sh fills; --prefer-offline where the npm registry answers].
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=scripts/docker/lib.sh
source scripts/docker/lib.sh

[ -n "${DOCKER_HOST:-}" ] || [ ! -S "$DOCKER_SOCKET" ] || export DOCKER_HOST="$MESHCALL_DOCKER_HOST"
# BuildKit, as compose v2 always uses: stages build in parallel and only changed files are sent.
export DOCKER_BUILDKIT=${DOCKER_BUILDKIT:-1} COMPOSE_DOCKER_CLI_BUILD=${COMPOSE_DOCKER_CLI_BUILD:-1}
# compose 1.29 runs `docker build` from PATH: the client that matches the engine comes first.
PATH="$(dirname "$DOCKER_CLIENT"):$PATH"

if command -v docker-compose >/dev/null 2>&1; then compose=(docker-compose); else compose=("$DOCKER_CLIENT" compose); fi
# The file requires TURN_SECRET for every command; a build never reads it.
TURN_SECRET=${TURN_SECRET:-unused-by-builds} "${compose[@]}" build --build-arg "NPM_CI_FLAGS=${NPM_CI_FLAGS:---offline}"
