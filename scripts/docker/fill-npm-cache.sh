#!/usr/bin/env bash
# Fills an npm cache folder with every package the repository's lockfile names, so that a
# Docker build can run `npm ci --offline --cache <that folder>` with no network at all (build
# containers here reach the Debian mirror only; an air-gapped site reaches nothing).
#
#   scripts/docker/fill-npm-cache.sh DEST
#
# The host fetches from the npm registry, in a scratch copy of the manifests: the repository's
# own node_modules is never touched. Idempotent: packages already in DEST are not fetched again.
# Measured here: about 22 s and 150-165 MB for the whole workspace from an empty cache.
set -euo pipefail

[ $# -eq 1 ] || {
  sed -n '2,10p' "${BASH_SOURCE[0]}" >&2
  exit 2
}
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
mkdir -p "$1"
dest=$(cd "$1" && pwd)

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# The root manifest, the lockfile and each workspace's manifest: all `npm ci` needs to resolve.
manifests=(package.json package-lock.json)
while IFS= read -r workspace; do
  manifests+=("$workspace/package.json")
done < <(cd "$REPO_ROOT" && node -p 'require("./package.json").workspaces.join("\n")')
for manifest in "${manifests[@]}"; do
  mkdir -p "$scratch/$(dirname "$manifest")"
  cp "$REPO_ROOT/$manifest" "$scratch/$manifest"
done

# Scripts are not run: only the tarballs are wanted, and they land in the cache either way.
(cd "$scratch" && npm ci --ignore-scripts --no-audit --no-fund --cache "$dest" >&2)
printf 'npm cache ready: %s (%s)\n' "$dest" "$(du -sh "$dest" | cut -f1)" >&2
