#!/usr/bin/env bash
# Packs kubectl vm for krew from the built kubectl-plugin module:
#
#   kubectl-plugin/krew/package.sh [OUTDIR]     (default kubectl-plugin/target/krew)
#
# writes OUTDIR/kubectl-vm.tar.gz (bin/kubectl-vm, the module's classes, every jar of its runtime
# class path, LICENSE) and OUTDIR/vm.yaml, the krew manifest with that archive's sha256. The
# archive is reproducible: sorted names, fixed times and owners, gzip without a timestamp.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
target=$root/kubectl-plugin/target
out=${1:-$target/krew}
if [[ ! -f $target/classpath.txt || ! -d $target/classes/io/jvmm/kubectl ]]; then
  echo "package.sh: kubectl-plugin is not built; run: mvn -q -pl kubectl-plugin -am install -DskipTests" >&2
  exit 1
fi
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
lib=$stage/kubectl-plugin/target/lib
mkdir -p "$stage/bin" "$lib" "$out"
cp "$root/bin/kubectl-vm" "$stage/bin/"
cp -r "$target/classes" "$stage/kubectl-plugin/target/"
cp "$root/LICENSE" "$stage/"
# The class path names jars, or, for the reactor's own modules not yet packaged, their classes.
tr ':' '\n' < "$target/classpath.txt" | while read -r entry; do
  if [[ -f $entry ]]; then
    cp "$entry" "$lib/"
  elif [[ -d $entry ]]; then
    module=$(basename "$(dirname "$(dirname "$entry")")")
    (cd "$entry" && jar --create --file "$lib/$module.jar" --date=2026-01-01T00:00:00Z .)
  fi
done
tar --sort=name --mtime='2026-01-01 00:00Z' --owner=0 --group=0 --numeric-owner -C "$stage" \
  -cf - bin kubectl-plugin LICENSE | gzip -n -9 > "$out/kubectl-vm.tar.gz"
sha=$(sha256sum "$out/kubectl-vm.tar.gz" | cut -d' ' -f1)
sed "s/@SHA256@/$sha/" "$here/vm.yaml" > "$out/vm.yaml"
echo "$out/kubectl-vm.tar.gz sha256 $sha"
