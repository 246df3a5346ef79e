#!/usr/bin/env bash
# Runs the integration suite (tests/integration) in its Testcontainers environment, against the
# engine in DOCKER_HOST and the images exported by the caller (infra/images/images.env). Called by
# ci-docker-tier.sh; the suite itself belongs to tests/integration.
#
# Uses the suite's own `test:testcontainers` script when it has one; otherwise `test:integration`
# with MESHCALL_TEST_ENV=testcontainers (which its select-environment.ts reads: a forced choice that
# cannot be honoured fails instead of falling back to local processes). In that case the vitest
# report is renamed testcontainers.json, so the local tier's integration.json (the same file name,
# written earlier in the CI run) is kept and both count in CI's totals.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1

results=tests/integration/.test-results
has_script() { node -e 'process.exit(require("./tests/integration/package.json").scripts?.[process.argv[1]] ? 0 : 1)' "$1"; }

if has_script test:testcontainers; then
  exec npm run test:testcontainers -w @meshcall/integration
fi

local_report=''
if [ -f "$results/integration.json" ]; then
  local_report=$(mktemp)
  cp -p "$results/integration.json" "$local_report"
fi
status=0
MESHCALL_TEST_ENV=testcontainers npm run test:integration -w @meshcall/integration || status=$?
[ -f "$results/integration.json" ] && mv "$results/integration.json" "$results/testcontainers.json"
[ -n "$local_report" ] && mv "$local_report" "$results/integration.json"
exit "$status"
