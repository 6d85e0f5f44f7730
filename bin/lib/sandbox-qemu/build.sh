#!/usr/bin/env bash
# Builds the outer QEMU of bin/jvmm-sandbox and prints its path: Debian's own source package of
# the qemu-system-x86 installed here, with the patches beside this script, x86_64 only. Debian's
# binary can abort under nested firmware (the patches say how); Linux guests never reach there.
# Cached under ${JVMM_CACHE:-~/.cache/jvmm}/sandbox-qemu/VERSION-RECIPE; a second run only prints.
# With --built it only prints the path of a build already made, or fails.
# The source comes over HTTP from deb.debian.org and its .dsc signature is not checked (that
# needs debian-keyring); it builds a test harness that runs as root, so mind where it comes from.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${JVMM_CACHE:-$HOME/.cache/jvmm}
log() { echo "sandbox-qemu: $*" >&2; }
sudo=; [[ $(id -u) == 0 ]] || sudo=sudo

version=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null) \
  || { log "qemu-system-x86 is not installed (bin/jvmm-setup installs it)"; exit 1; }
version=${version#*:}           # the epoch is not part of the source file names
version=${version%+b[0-9]*}     # a binary-only rebuild (+bN) has its source's version
# The recipe (this script and the patches) is part of the key: a change to either builds anew.
recipe=$(cat "$here"/build.sh "$here"/patches/*.patch | sha256sum | cut -c1-12)
dest=$cache/sandbox-qemu/$version-$recipe
binary=$dest/bin/qemu-system-x86_64
if [[ -x $binary ]]; then echo "$binary"; exit 0; fi
[[ ${1:-} == --built ]] && exit 1

packages=(dpkg-dev gcc pkg-config python3 python3-distutils meson ninja-build libglib2.0-dev libpixman-1-dev libslirp-dev libfdt-dev zlib1g-dev)
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
if [[ ${#missing[@]} -gt 0 ]]; then
  log "installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

started=$(date +%s)
work=$(mktemp -d "${TMPDIR:-/tmp}/sandbox-qemu.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Meson runs Python scripts from TMPDIR, where a stray module (a bisect.py in /tmp) would shadow
# the standard library's: a directory of the build's own.
export TMPDIR=$work/tmp
mkdir "$TMPDIR"
dsc=qemu_$version.dsc
fetch() { # fetch FILE: from Debian's archive, or its security archive where point releases start
  local f=$1 enc=${1//+/%2B} base
  for base in http://deb.debian.org/debian/pool/main/q/qemu http://deb.debian.org/debian-security/pool/updates/main/q/qemu; do
    if curl -fsS --retry 3 -o "$work/$f" "$base/$enc" 2>/dev/null; then return 0; fi
  done
  log "cannot download $f from Debian's archive"; return 1
}
log "building Debian's QEMU $version with $(ls "$here"/patches | wc -l) patches (x86_64 only; about 6 minutes on 2 cores)"
fetch "$dsc"
for f in $(sed -n '/^Files:/,/^[^ ]/{/^ /p}' "$work/$dsc" | awk '{print $3}'); do fetch "$f"; done
# The .dsc's checksums guard the tarballs against a broken download, not against a forged .dsc.
(cd "$work" && dpkg-source --no-check -x "$dsc" src >/dev/null)
for p in "$here"/patches/*.patch; do patch -d "$work/src" -p1 --quiet < "$p"; done
mkdir "$work/src/build"
# ROMs and SeaBIOS come from Debian's packages, where Debian's own build looks for them.
(cd "$work/src/build" && ../configure --prefix="$dest" --target-list=x86_64-softmmu --enable-slirp \
   --firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu \
   --disable-docs --disable-werror --disable-tools --disable-guest-agent --disable-gtk --disable-sdl \
   --disable-vnc --disable-spice --disable-opengl --disable-xen --disable-capstone --disable-user >/dev/null)
nice ninja -C "$work/src/build" qemu-system-x86_64 >/dev/null
mkdir -p "$dest.tmp/bin" "$dest.tmp/share"
cp "$work/src/build/qemu-system-x86_64" "$dest.tmp/bin/"
# The rest of Debian's qemu-system-data (keymaps, option ROMs), found relative to the binary.
ln -s /usr/share/qemu "$dest.tmp/share/qemu"
rm -rf "$dest" && mv "$dest.tmp" "$dest"
log "built $binary in $(( $(date +%s) - started )) s"
echo "$binary"
