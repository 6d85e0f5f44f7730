#!/usr/bin/env bash
# The census behind jvmm's system call filter (io.jvmm.vmm.confine.VmmSyscallFilter): runs the
# sandbox test scripts (boot and power-off, every seed device, reset, balloon, QMP with QEMU's
# client, tap and vhost networking, vsock, consoles) with JVMM_SECCOMP_LOG=1, under which the
# filter logs each call it would refuse instead of killing jvmm, and prints those calls: the
# kernel's audit records (type=1326) with the name of each call. Nothing printed after
# "refused calls:" means the list covers every path the tests take.
#
#   vmm-core/src/test/sh/syscall-census.sh      (after mvn -pl vmm-core -am install -DskipTests)
set -euo pipefail
here=$(cd "$(dirname "$0")/../../../.." && pwd)
image=$("$here/bin/jvmm-guest-image")
venv=${JVMM_CACHE:-$HOME/.cache/jvmm}/venv
py=$here/vmm-core/src/test/python
exec "$here/bin/jvmm-sandbox" --timeout 1500 -- bash -c '
  set -u
  here=$1 image=$2 venv=$3 py=$4
  export JVMM_SECCOMP_LOG=1
  # Files opened as under the node agent: beneath a root, no symlink followed (openat2).
  export JVMM_ALLOWED_ROOTS=/
  jvmm=$here/bin/jvmm
  echo "census: devices"; python3 "$py/devices_test.py" --jvmm "$jvmm" --image "$image" --work /tmp/census-devices | tail -n 3
  echo "census: net and vsock, vhost off"; python3 "$py/net_vsock_test.py" --jvmm "$jvmm" --image "$image" --vhost off --tap jvmmcensus1 | tail -n 3
  # Each net run adds its tap with the same host address: the last one must go first.
  ip link del jvmmtap0 2>/dev/null; ip link del jvmmcensus1 2>/dev/null
  echo "census: net and vsock, vhost on, rebind"; python3 "$py/net_vsock_test.py" --jvmm "$jvmm" --image "$image" --vhost on --rebind --tap jvmmcensus2 | tail -n 3
  if [[ -x $venv/bin/python ]]; then
    echo "census: QMP"; "$venv/bin/python" "$py/qmp_test.py" --jvmm "$jvmm" --image "$image" | tail -n 3
  fi
  echo "census: boot, reset by the guest, power-off"
  timeout 300 "$jvmm" -machine q35 -accel kvm -m 256M -smp 2 -kernel "$image/vmlinuz" -initrd "$image/initramfs.img" \
    -append "console=ttyS0 quiet reboot=k" -nodefaults -nographic -serial stdio </dev/null | tail -n 3
  echo "census: the serial port on a terminal (script gives jvmm one)"
  script -qec "timeout 300 $jvmm -machine q35 -accel kvm -m 256M -smp 1 -kernel $image/vmlinuz -initrd $image/initramfs.img -append \"console=ttyS0 quiet\" -nodefaults -nographic -no-reboot -serial stdio" /dev/null </dev/null | tail -n 2
  # The control: a JVM under the filter in census mode makes a call it refuses (mkdir); the
  # kernel must log it, or the census above saw nothing because nothing could be seen.
  t=$here/vmm-core/target
  java -cp "$t/test-classes:$t/classes:$(ls "$t"/lib/*.jar | tr "\n" :)" io.jvmm.vmm.confine.SeccompProbe census-control
  mkdir_nr=$(awk "\$2==\"__NR_mkdir\" {print \$3}" /usr/include/x86_64-linux-gnu/asm/unistd_64.h)
  if ! dmesg | grep "type=1326" | grep -q "syscall=$mkdir_nr "; then
    echo "census: VOID: the kernel logged nothing of the control call (mkdir)"; exit 1
  fi
  echo "refused calls (the control: mkdir, once):"
  dmesg | grep "type=1326" | grep -o "syscall=[0-9]*" | sort | uniq -c | while read -r count call; do
    nr=${call#syscall=}
    name=$(awk -v n="$nr" "\$1==\"#define\" && \$3==n {sub(\"__NR_\",\"\",\$2); print \$2}" /usr/include/x86_64-linux-gnu/asm/unistd_64.h)
    echo "  $name ($nr): $count"
  done
' census "$here" "$image" "$venv" "$py"
