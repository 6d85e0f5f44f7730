#!/usr/bin/env bash
# images/base/build-base.sh: the base image of jvmm's container images, as a `docker save`
# tarball that Jib takes with tar:// (no registry is reachable from where jvmm is built, and no
# Docker daemon runs there). Debian bookworm (minbase, from deb.debian.org with debootstrap),
# plus openjdk-17-jre-headless, bash (bin/jvmm is a bash script), systemd (systemd-run: the
# node agent moves VMMs into systemd scopes of their own) and iproute2 (the agent makes VMs' taps;
# setpriv, which drops each VMM to its own user, is util-linux's, in minbase).
#   images/base/build-base.sh [OUT.tar]   default ${JVMM_CACHE:-~/.cache/jvmm}/images/jvmm-base.tar
# A no-op when OUT exists (delete it to rebuild). Needs root (debootstrap, chroot).
# JVMM_BASE_ROOTFS=DIR packs a root file system made before instead of bootstrapping one.
set -euo pipefail
out=${1:-${JVMM_CACHE:-$HOME/.cache/jvmm}/images/jvmm-base.tar}
if [[ -s $out ]]; then
  echo "$out"
  exit 0
fi
command -v debootstrap >/dev/null || apt-get install -y -q debootstrap >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs=${JVMM_BASE_ROOTFS:-$work/rootfs}
if [[ -z ${JVMM_BASE_ROOTFS:-} ]]; then
  debootstrap --variant=minbase --include=openjdk-17-jre-headless,systemd,bash,iproute2 \
    bookworm "$rootfs" "${JVMM_DEBIAN_MIRROR:-http://deb.debian.org/debian}" >&2
fi
# What an image does not need: package caches, documentation, logs.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* \
  "$rootfs"/usr/share/man/* "$rootfs"/var/log/*
mkdir -p "$(dirname "$out")"
python3 - "$rootfs" "$work" "$out" <<'PY'
import hashlib, json, os, sys, tarfile
rootfs, work, out = sys.argv[1:4]
layer = os.path.join(work, "layer.tar")
with tarfile.open(layer, "w", format=tarfile.PAX_FORMAT) as t:
    for name in sorted(os.listdir(rootfs)):
        # /dev, /proc and /sys come from the runtime.
        if name in ("dev", "proc", "sys"):
            t.add(os.path.join(rootfs, name), arcname=name, recursive=False)
        else:
            t.add(os.path.join(rootfs, name), arcname=name)
digest = hashlib.sha256(open(layer, "rb").read()).hexdigest()
config = {
    "architecture": "amd64", "os": "linux",
    "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                       "JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64"]},
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + digest]},
    "history": [{"created_by": "images/base/build-base.sh: debootstrap bookworm minbase, openjdk-17-jre-headless, systemd, bash, iproute2"}],
}
config_bytes = json.dumps(config, sort_keys=True).encode()
config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
manifest = [{"Config": config_name, "RepoTags": ["jvmm/base:bookworm"], "Layers": [digest + "/layer.tar"]}]
with tarfile.open(out + ".tmp", "w") as t:
    t.add(layer, arcname=digest + "/layer.tar")
    for name, data in ((config_name, config_bytes), ("manifest.json", json.dumps(manifest).encode())):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        import io
        t.addfile(info, io.BytesIO(data))
os.replace(out + ".tmp", out)
PY
echo "$out"
