#!/usr/bin/env bash
# The seed's VM (examples/seed-vm.xml) made runnable on this machine, as the demo and its tests
# run it: writes DIR/seed.xml and the files it names (DIR/rootfs, a copy of the guest image's
# test disk; DIR/random_file, 64 KiB from /dev/urandom).
#
#   bin/lib/seed-vm.sh DIR [--shell]
#
# What differs from the seed's domain, and why:
#   - the kernel is the guest image's, with its initramfs, and the command line puts the console
#     on the virtio console (console=hvc0) and runs the guest's tour of its devices
#     (/bin/jvmm-tour); --shell keeps a shell on it afterwards;
#   - no <loader>/<nvram>: UEFI from pflash is not supported yet (issue 17), so the kernel is
#     booted directly, as the seed's <kernel> also asks;
#   - no <hostdev>: VFIO passthrough is not supported yet (issue 18) and needs a device to give;
#   - no <emulator>: the node's jvmm runs it.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:?usage: seed-vm.sh DIR [--shell]}
shell=${2:-}
image=$("$here/bin/jvmm-guest-image" --print)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
cp "$image/disk.ext4" "$dir/rootfs"
head -c 65536 /dev/urandom > "$dir/random_file"
chmod 0644 "$dir/random_file"
cmdline="console=hvc0 root=/dev/vda reboot=k panic=1 rw quiet jvmm.script=/bin/jvmm-tour"
[[ $shell == --shell ]] && cmdline+=" jvmm.shell=1"
sed -e "s#<kernel>/path/to/standard_vm_kernel</kernel>#<kernel>$image/vmlinuz</kernel>\n    <initrd>$image/initramfs.img</initrd>#" \
    -e "s#<cmdline>.*</cmdline>#<cmdline>$cmdline</cmdline>#" \
    -e "s#/path/to/rootfs#$dir/rootfs#" -e "s#/path/to/random_file#$dir/random_file#" \
    -e '/<loader /d' -e '/<nvram /d' -e '/<emulator>/d' -e '/<hostdev /,/<\/hostdev>/d' \
    "$here/examples/seed-vm.xml" > "$dir/seed.xml"
echo "$dir/seed.xml"
