#!/usr/bin/env bash
# Builds the Kubernetes control plane that jvmm's cluster tests and
# bin/jvmm-cluster run: kube-apiserver, kube-controller-manager, etcd and
# kubectl, all from Go modules (go.mod pins the release), into
#
#   ${JVMM_CACHE:-~/.cache/jvmm}/kube/k8s/<version>-linux-amd64/
#
# which is the layout io.fabric8:kube-api-test reads in offline mode.
# A warm cache (binaries present and built from the same sources) makes this a
# no-op, so CI calls it unconditionally before Maven.
#
# `build.sh --print-dir` prints that directory and builds nothing.
#
# Environment:
#   JVMM_CACHE         cache root (default ~/.cache/jvmm); the Go module and
#                      build caches live under it too, so a warm machine is fast
#   JVMM_BUILD_JOBS    parallel Go compile jobs (default 2: builders share cores)
#   JVMM_FORCE_BUILD=1 rebuild even when the cache is warm
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${JVMM_CACHE:-$HOME/.cache/jvmm}"

# The release comes from go.mod, the single place it is pinned.
k8s_version="$(awk '$1 == "k8s.io/kubernetes" { print $2; exit }' "$here/go.mod")"
if [[ -z "$k8s_version" ]]; then
  echo "build.sh: no k8s.io/kubernetes requirement in $here/go.mod" >&2
  exit 1
fi
version="${k8s_version#v}"
target="$cache/kube/k8s/${version}-linux-amd64"
binaries=(kube-apiserver kube-controller-manager etcd kubectl)

if [[ "${1:-}" == --print-dir ]]; then
  echo "$target"
  exit 0
fi

# The stamp names the sources the binaries came from: a changed pin, wrapper or
# flag rebuilds them even though the version directory stays the same.
stamp="$(cat "$here/go.mod" "$here/go.sum" "$here"/cmd/*/main.go "$0" | sha256sum | cut -c1-16)"

warm() {
  [[ -f "$target/.built-from" && "$(cat "$target/.built-from")" == "$stamp" ]] || return 1
  local b
  for b in "${binaries[@]}"; do [[ -x "$target/$b" ]] || return 1; done
}

if [[ "${JVMM_FORCE_BUILD:-0}" != 1 ]] && warm; then
  echo "kube control plane $version: cached in $target"
  exit 0
fi

# The Go toolchain's own installer puts it in /usr/local/go, which a non-login shell (CI) may not
# have on PATH.
if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then
  PATH="/usr/local/go/bin:$PATH"
fi
if ! command -v go >/dev/null; then
  echo "build.sh: 'go' is not on PATH; install Go >= $(awk '$1 == "go" { print $2; exit }' "$here/go.mod") (Debian: golang-go) and rerun" >&2
  exit 1
fi

mkdir -p "$cache/kube/k8s"
# One build at a time per cache: a second caller waits, then finds it warm.
exec 9>"$cache/kube/.build.lock"
flock 9
if [[ "${JVMM_FORCE_BUILD:-0}" != 1 ]] && warm; then
  echo "kube control plane $version: cached in $target (built by another caller)"
  exit 0
fi

export GOMODCACHE="$cache/go/mod"
export GOCACHE="$cache/go/build"
export GOTOOLCHAIN=local
export CGO_ENABLED=0
export GOFLAGS="-mod=mod -p=${JVMM_BUILD_JOBS:-2}"

minor="$(cut -d. -f2 <<<"$version")"
# Upstream stamps the version at link time (hack/lib/version.sh); without it the
# binaries report v0.0.0-master and kubectl warns about version skew.
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

staging="$(mktemp -d "$cache/kube/k8s/.build-XXXXXX")"
trap 'rm -rf "$staging"' EXIT
echo "kube control plane $version: building ${binaries[*]} (cold: tens of minutes on 2 cores)"
start=$SECONDS
cd "$here"
pkgs=()
for b in "${binaries[@]}"; do pkgs+=("./cmd/$b"); done
go build -trimpath -ldflags "$ldflags" -o "$staging/" "${pkgs[@]}"
echo "$stamp" >"$staging/.built-from"
rm -rf "$target"
chmod 755 "$staging"
mv "$staging" "$target"
trap - EXIT
echo "kube control plane $version: built in $((SECONDS - start)) s into $target"
