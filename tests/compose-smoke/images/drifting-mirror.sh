#!/bin/bash
# Runs inside the offline set's Debian base (meshcall/debian:bookworm) with no network: a local
# package repository whose index lists three versions of two demo packages built from one source
# (meshcall-demo depends on meshcall-demo-common of exactly its own version, as nginx does on
# nginx-common), from which the files of some versions are then removed, the way a drifting
# mirror lists a release it does not serve. Then install_packages meshcall-demo, as an image would.
#
#   drifting-mirror.sh served|newest-missing|all-missing
set -euo pipefail
mode=$1
repo=/repo
mkdir -p "$repo" /build

make_deb() { # name version [depends]
  local dir=/build/$1-$2
  mkdir -p "$dir/DEBIAN" "$dir/usr/share/meshcall-demo"
  printf 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: meshcall <ci@meshcall.invalid>\nSource: meshcall-demo\nDescription: install_packages test package\n' \
    "$1" "$2" >"$dir/DEBIAN/control"
  [ -z "${3:-}" ] || printf 'Depends: %s\n' "$3" >>"$dir/DEBIAN/control"
  echo "$1 $2" >"$dir/usr/share/meshcall-demo/$1"
  dpkg-deb --build --root-owner-group "$dir" "$repo/${1}_${2}_all.deb" >/dev/null
}
for version in 1.0-1 1.0-2 1.0-3; do
  make_deb meshcall-demo-common "$version"
  make_deb meshcall-demo "$version" "meshcall-demo-common (= $version)"
done
# The index lists every version, whatever is removed below.
for deb in "$repo"/*.deb; do
  dpkg-deb --field "$deb"
  printf 'Filename: ./%s\nSize: %s\nSHA256: %s\n\n' "${deb##*/}" "$(stat -c %s "$deb")" "$(sha256sum "$deb" | cut -d' ' -f1)"
done >"$repo/Packages"
rm -f /etc/apt/sources.list.d/*
echo 'deb [trusted=yes] file:/repo ./' >/etc/apt/sources.list.d/demo.list

case "$mode" in
  served) ;;
  newest-missing) rm "$repo/meshcall-demo_1.0-3_all.deb" "$repo/meshcall-demo-common_1.0-3_all.deb" ;;
  all-missing) rm "$repo"/meshcall-demo_*.deb ;;
  *) echo "unknown mode $mode" >&2 && exit 2 ;;
esac

install_packages meshcall-demo
echo "installed: $(dpkg-query -W -f '${Package}=${Version} ' meshcall-demo meshcall-demo-common)"
echo "recorded: $(cat /usr/share/meshcall/package-fallbacks 2>/dev/null || echo none)"
