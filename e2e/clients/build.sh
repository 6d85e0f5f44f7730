#!/usr/bin/env bash
# Builds or fetches the third-party tools that judge jvmm in its tests, each pinned, into
# ${JVMM_CACHE:-~/.cache/jvmm}/clients/, and prints the path of the one asked for:
#
#   build.sh judge                   kstatus (sigs.k8s.io/cli-utils) and Argo CD's Lua health
#                                    runtime (gopher-lua), from judge/ (its go.mod pins them)
#   build.sh krew                    krew and validate-krew-manifest (sigs.k8s.io/krew), a directory
#   build.sh libvirt-schemas         libvirt's RelaxNG schemas from Debian's libvirt0, a directory
#   build.sh all                     all of them, printing nothing
#
# A warm cache makes each a no-op. The Go module and build caches are the control plane's
# (e2e/k8s/build.sh), under the same cache root.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${JVMM_CACHE:-$HOME/.cache/jvmm}
krew_version=v0.4.3
libvirt_package=libvirt0

go_env() {
  if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then PATH="/usr/local/go/bin:$PATH"; fi
  command -v go >/dev/null || { echo "clients/build.sh: 'go' is not on PATH (Debian: golang-go)" >&2; exit 1; }
  export GOMODCACHE="$cache/go/mod" GOCACHE="$cache/go/build" GOTOOLCHAIN=local CGO_ENABLED=0
  export GOFLAGS="-mod=mod -p=${JVMM_BUILD_JOBS:-2}"
}

# One build at a time per cache: a second caller waits, then finds it built.
locked() {
  mkdir -p "$cache/clients"
  exec 9>"$cache/clients/.build.lock"
  flock 9
}

judge() {
  local stamp dir
  stamp=$(cat "$here/judge/go.mod" "$here/judge/go.sum" "$here"/judge/*.go | sha256sum | cut -c1-16)
  dir=$cache/clients/judge-$stamp
  if [[ ! -x $dir/judge ]]; then
    locked
    if [[ ! -x $dir/judge ]]; then
      go_env
      echo "clients/build.sh: building judge (kstatus, gopher-lua) into $dir" >&2
      (cd "$here/judge" && go build -trimpath -o "$dir/judge.tmp" . && mv "$dir/judge.tmp" "$dir/judge")
    fi
  fi
  echo "$dir/judge"
}

krew() {
  local dir=$cache/clients/krew-$krew_version
  if [[ ! -x $dir/krew || ! -x $dir/validate-krew-manifest ]]; then
    locked
    if [[ ! -x $dir/krew || ! -x $dir/validate-krew-manifest ]]; then
      go_env
      echo "clients/build.sh: building krew $krew_version into $dir" >&2
      GOBIN=$dir go install "sigs.k8s.io/krew/cmd/krew@$krew_version" "sigs.k8s.io/krew/cmd/validate-krew-manifest@$krew_version"
    fi
  fi
  echo "$dir"
}

libvirt_schemas() {
  local version dir tmp
  version=$(apt-cache policy "$libvirt_package" | awk '$1 == "Candidate:" { print $2 }')
  [[ -n $version && $version != "(none)" ]] || { echo "clients/build.sh: apt knows no $libvirt_package" >&2; exit 1; }
  dir=$cache/clients/libvirt-schemas-${version//[^A-Za-z0-9.+-]/_}
  if [[ ! -f $dir/domain.rng ]]; then
    locked
    if [[ ! -f $dir/domain.rng ]]; then
      echo "clients/build.sh: unpacking $libvirt_package $version's schemas into $dir" >&2
      tmp=$(mktemp -d)
      (cd "$tmp" && apt-get download -q "$libvirt_package=$version" >&2 && dpkg-deb -x ./*.deb root)
      rm -rf "$dir.tmp" && cp -r "$tmp/root/usr/share/libvirt/schemas" "$dir.tmp" && mv "$dir.tmp" "$dir"
      rm -rf "$tmp"
    fi
  fi
  echo "$dir"
}

case ${1:-} in
  judge) judge;;
  krew) krew;;
  libvirt-schemas) libvirt_schemas;;
  all) judge >/dev/null; krew >/dev/null; libvirt_schemas >/dev/null;;
  *) echo "usage: build.sh judge|krew|libvirt-schemas|all" >&2; exit 2;;
esac
