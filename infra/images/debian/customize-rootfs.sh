#!/usr/bin/env bash
# Turns a fresh `debootstrap --variant=minbase` tree into meshcall's container base: apt sources
# for the release, its updates and its security fixes (with the fixes applied), apt and dpkg set
# up the way container builds want them (no recommends, no docs or man pages, no package lists or
# .debs left in layers, no service starts), and nothing machine-specific left behind.
#
#   customize-rootfs.sh ROOTFS SUITE MAIN_MIRROR [SECURITY_MIRROR]
#
# Run by infra/images/build.sh as root; its content is part of the base image's input hash.
set -euo pipefail

rootfs=$1
suite=$2
main_mirror=$3
security_mirror=${4:-}

# --- apt sources: one deb822 file, the way Debian's own images ship them ----------------------
rm -f "$rootfs/etc/apt/sources.list"
{
  printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\n' "$main_mirror" "$suite" "$suite"
  printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
  if [ -n "$security_mirror" ]; then
    printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\n' "$security_mirror" "$suite"
    printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
  fi
} >"$rootfs/etc/apt/sources.list.d/debian.sources"

# --- apt and dpkg for container builds -------------------------------------------------------
cat >"$rootfs/etc/apt/apt.conf.d/90meshcall-container" <<'EOF'
// Images get exactly the packages their Dockerfile names.
APT::Install-Recommends "false";
APT::Install-Suggests "false";
// Downloaded .debs never stay in a layer, and translations are never fetched.
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Acquire::Languages "none";
Acquire::GzipIndexes "true";
EOF

# Documentation, man pages and translations are dead weight in a container; license files stay.
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/90meshcall-excludes" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
EOF

# Packages installed in a build must not try to start their daemons.
printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
chmod 0755 "$rootfs/usr/sbin/policy-rc.d"

# Every image installs its packages with install_packages, which falls back to an older listed
# version when the mirror lists a file it does not serve.
install -D -m 0755 "$(dirname "${BASH_SOURCE[0]}")/install_packages" "$rootfs/usr/local/sbin/install_packages"

# --- security and point-release fixes, then clean up -----------------------------------------
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
chroot "$rootfs" apt-get update -q
if ! chroot "$rootfs" env DEBIAN_FRONTEND=noninteractive apt-get -y -q upgrade; then
  # The mirror lists an update it does not serve. The base keeps the release's version of those
  # packages (debootstrap installed them from the signed release index), and says so loudly:
  # a base without an update is better than no image at all, but nobody should miss it.
  chroot "$rootfs" env DEBIAN_FRONTEND=noninteractive apt-get -y -q --fix-missing upgrade || true
  held_back=$(chroot "$rootfs" apt list --upgradable 2>/dev/null | sed -n 's,^\([^/]*\)/[^ ]* \([^ ]*\).*,\1 \2,p')
  if [ -n "$held_back" ]; then
    mkdir -p "$rootfs/usr/share/meshcall"
    while read -r package version; do
      printf 'install_packages: WARNING: %s: update %s is listed but not served; the base keeps the installed version\n' \
        "$package" "$version" | tee -a "$rootfs/usr/share/meshcall/package-fallbacks" >&2
    done <<<"$held_back"
  fi
fi
chroot "$rootfs" apt-get clean

# What debootstrap installed before the excludes existed.
find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
rm -rf "$rootfs/usr/share/man/"* "$rootfs/usr/share/info/"* "$rootfs/usr/share/locale/"* "$rootfs/usr/share/lintian/"*

rm -rf "$rootfs/var/lib/apt/lists/"* "$rootfs/var/cache/apt/"*.bin "$rootfs/var/cache/debconf/"*-old \
  "$rootfs/var/log/"*.log "$rootfs/var/log/apt/"* "$rootfs/tmp/"* "$rootfs/var/tmp/"*
# The engine provides these per container; a copy of this machine's would leak into the image.
: >"$rootfs/etc/resolv.conf"
: >"$rootfs/etc/hostname"
[ -f "$rootfs/etc/machine-id" ] && : >"$rootfs/etc/machine-id"
true
