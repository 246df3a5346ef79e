#!/usr/bin/env bash
# CI's Docker tier: the tests that need a real Docker engine, run for real when one can start.
#
#   scripts/docker/ci-docker-tier.sh             # CI: reuse the image cache of the last run
#   scripts/docker/ci-docker-tier.sh --no-cache  # everything from scratch (debootstrap, every layer, npm cache)
#
#   1. starts meshcall's dockerd (scripts/docker/start-dockerd.sh). If it cannot, says so loudly,
#      prints "docker tier: skipped (no engine)" and exits 0: CI then ran only the local tiers.
#   2. builds the offline image set (infra/images/build.sh, idempotent) and checks that every
#      image works (infra/images/verify.sh), fills the npm cache
#      Docker builds install from (scripts/docker/fill-npm-cache.sh infra/images/npm-cache) and
#      builds the stack's own images from this checkout on top (build-stack-images.sh).
#   3. runs the compose smoke test (@meshcall/compose-smoke, test:docker; then its smoke file
#      again with the Redis Cluster overlay) and the integration
#      suite in its Testcontainers environment (every piece a container from those images), with
#      the offline set's image variables exported.
#   4. stops the engine if this script started it, removing every container, network and volume
#      but keeping images and build cache for the next run (stop-dockerd.sh --keep-images).
#
# Exits non-zero when a step or a test failed. Vitest reports land in the workspaces'
# .test-results/ (docker.json, testcontainers.json), which CI's totals line counts. Prints the
# time of every step; the whole tier is bounded (MESHCALL_DOCKER_TIER_TIMEOUT, 60 min).
set -uo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO_ROOT" || exit 1
# shellcheck source=scripts/docker/lib.sh
source scripts/docker/lib.sh

no_cache=false
for arg in "$@"; do
  case "$arg" in
    --no-cache) no_cache=true ;;
    -h | --help)
      sed -n '2,21p' "${BASH_SOURCE[0]}"
      exit 0
      ;;
    *)
      echo "ci-docker-tier: unknown argument $arg (try --help)" >&2
      exit 2
      ;;
  esac
done

tier_started=$SECONDS
tier_deadline=$((SECONDS + ${MESHCALL_DOCKER_TIER_TIMEOUT:-3600}))
step_lines=()
failed_steps=()

say() { printf '\n=== docker tier: %s\n' "$*"; }

# run_step NAME COMMAND...: runs it within what is left of the tier's time, records time and outcome.
run_step() {
  local name=$1
  shift
  local left=$((tier_deadline - SECONDS))
  if [ "$left" -le 0 ]; then
    step_lines+=("$(printf '%-34s %7s   %s' "$name" '-' 'not run (tier out of time)')")
    failed_steps+=("$name")
    return 1
  fi
  say "$name"
  local started=$SECONDS status=0
  timeout --kill-after=30 "$left" "$@" || status=$?
  local outcome=passed
  if [ "$status" -ne 0 ]; then
    outcome="FAILED (status $status)"
    failed_steps+=("$name")
  fi
  step_lines+=("$(printf '%-34s %6d s   %s' "$name" $((SECONDS - started)) "$outcome")")
  return "$status"
}

print_summary() {
  say "summary"
  printf '%s\n' "${step_lines[@]}"
  printf '%-34s %6d s\n' 'total' $((SECONDS - tier_started))
  local phases
  for phases in tests/compose-smoke/.test-results/compose-smoke-phases*.tsv; do
    [ -f "$phases" ] || continue
    printf '\ncompose smoke test, by phase (%s):\n' "$(basename "$phases" .tsv)"
    tail -n +2 "$phases" | awk -F'\t' '{ printf "  %-30s %8.2f s   %s\n", $1, $2, $3 }'
  done
}

# --- 1. The engine -----------------------------------------------------------------------------
engine_was_running=false
[ -n "$(running_dockerd_pid)" ] && engine_was_running=true

say "starting the Docker engine"
engine_started=$SECONDS
if ! engine_exports=$(scripts/docker/start-dockerd.sh); then
  # start-dockerd.sh has already printed its own banner with the reason.
  {
    printf '\n'
    printf '################################################################################\n'
    printf '###  DOCKER TIER SKIPPED: no Docker engine could start on this machine.       ###\n'
    printf '###  Only the local tiers ran: no compose smoke test, no Testcontainers suite. ###\n'
    printf '################################################################################\n'
  } >&2
  echo "docker tier: skipped (no engine)"
  exit 0
fi
eval "$engine_exports"
export DOCKER_HOST
step_lines+=("$(printf '%-34s %6d s   %s' 'engine start' $((SECONDS - engine_started)) "$([ "$engine_was_running" = true ] && echo 'reused a running engine' || echo passed)")")

stop_engine() {
  if [ "$engine_was_running" = true ]; then
    say "leaving the engine running (it was running before this script)"
    return 0
  fi
  run_step 'engine stop (--keep-images)' scripts/docker/stop-dockerd.sh --keep-images
}
trap 'stop_engine; print_summary' EXIT

# --- 2. Images and the npm cache ---------------------------------------------------------------
build_flags=()
if [ "$no_cache" = true ]; then
  build_flags+=(--no-cache)
  # An empty cache, as on a fresh checkout; .gitignore is the folder's only committed file.
  find infra/images/npm-cache -mindepth 1 -maxdepth 1 ! -name .gitignore -exec rm -rf {} +
  # The stack images and every build cache: BuildKit's, and the classic builder's (intermediate images).
  stack_images=$(docker_cli images --quiet --filter 'reference=meshcall/stack-*' | sort -u)
  # shellcheck disable=SC2086  # one id per word
  [ -z "$stack_images" ] || docker_cli rmi --force $stack_images >/dev/null
  docker_cli builder prune --all --force >/dev/null
fi
images_ok=true
run_step 'offline image set (build.sh)' infra/images/build.sh "${build_flags[@]}" || images_ok=false
# Each image started and made to do its job (nginx renders a template, FerretDB stores a
# document, coturn answers STUN...): a base image that builds but does not run fails here.
if [ "$images_ok" = true ]; then
  run_step 'offline images work (verify.sh)' infra/images/verify.sh || images_ok=false
fi
run_step 'npm cache (fill-npm-cache.sh)' scripts/docker/fill-npm-cache.sh infra/images/npm-cache || images_ok=false
# The tests import the shared contracts and the launcher from their builds.
run_step 'workspace builds (turbo)' npx turbo run build --filter=@meshcall/compose-smoke... --filter=@meshcall/integration... || images_ok=false

set -a
# shellcheck source=infra/images/images.env
source infra/images/images.env
set +a
# Testcontainers' reaper image would come from Docker Hub; the engine is emptied by stop-dockerd.sh.
export TESTCONTAINERS_RYUK_DISABLED=true

# The images both suites run, built once here from this checkout (the compose smoke test's own
# build step then finds every layer cached).
if [ "$images_ok" = true ]; then
  run_step 'stack images (build-stack-images.sh)' scripts/docker/build-stack-images.sh || images_ok=false
fi

# --- 3. The tests ------------------------------------------------------------------------------
if [ "$images_ok" = true ]; then
  # One compose smoke test at a time per machine: coturn's relay range (49152-49407) can be
  # published once, and the meshcall/stack-*:local tags must stay the ones this run built.
  run_step 'compose smoke test' flock --wait 1800 /tmp/meshcall-compose-smoke.lock npm run test:docker -w @meshcall/compose-smoke
  # Every check again on the Redis Cluster overlay (issue 17): six nodes instead of one Redis,
  # the services on REDIS_CLUSTER_NODES. Its own report, so both passes count.
  run_step 'compose smoke test (Redis Cluster)' env COMPOSE_SMOKE_OVERLAYS=infra/docker-compose.redis-cluster.yml COMPOSE_SMOKE_REPORT=docker-redis-cluster \
    flock --wait 1800 /tmp/meshcall-compose-smoke.lock npm run test:docker -w @meshcall/compose-smoke -- smoke/

  # >>> Testcontainers suite: tests/integration owns it; run-testcontainers-suite.sh only calls
  # its entry point (test:testcontainers, or test:integration with MESHCALL_TEST_ENV=testcontainers).
  if node -e 'process.exit(require("./tests/integration/package.json").scripts?.["test:testcontainers"] ? 0 : 1)' ||
    grep -q MESHCALL_TEST_ENV tests/integration/src/environment/select-environment.ts 2>/dev/null; then
    run_step 'Testcontainers suite' scripts/docker/run-testcontainers-suite.sh
  else
    step_lines+=("$(printf '%-34s %7s   %s' 'Testcontainers suite' '-' 'NOT RUN: tests/integration has no Testcontainers entry point yet')")
  fi
  # <<< Testcontainers suite
else
  step_lines+=("$(printf '%-34s %7s   %s' 'compose smoke test' '-' 'not run (an image or the npm cache failed)')")
  step_lines+=("$(printf '%-34s %7s   %s' 'compose smoke test (Redis Cluster)' '-' 'not run (an image or the npm cache failed)')")
  step_lines+=("$(printf '%-34s %7s   %s' 'Testcontainers suite' '-' 'not run (an image or the npm cache failed)')")
fi

# --- 4. Verdict (the EXIT trap stops the engine and prints the summary) -------------------------
trap - EXIT
stop_engine
print_summary
if [ ${#failed_steps[@]} -gt 0 ]; then
  echo "docker tier: FAILED (${failed_steps[*]})"
  exit 1
fi
echo "docker tier: passed"
