package io.jvmm.domain;

import io.jvmm.crds.v1alpha1.Alias;
import io.jvmm.crds.v1alpha1.Disk;

/**
 * The id each device gets on the VMM command line (and so in QMP): its libvirt alias where
 * it has one, else a name after libvirt's own (net0, rng0...). Validation checks these for
 * uniqueness, the command line uses them: one place decides them.
 */
final class DeviceIds {
  private DeviceIds() {
  }

  static String rootPort(int index) {
    return "pcie." + index;
  }

  static String disk(Disk disk) {
    return disk.target == null ? null : disk.target.dev;
  }

  static String net(int i) {
    return "net" + i;
  }

  static String virtioSerial(Alias alias, int i) {
    return alias != null && alias.name != null ? alias.name : "virtio-serial" + i;
  }

  static String console(Alias alias, int i) {
    return alias != null && alias.name != null ? alias.name : "console" + i;
  }

  static String rng(int i) {
    return "rng" + i;
  }

  static String balloon(Alias alias) {
    return alias != null && alias.name != null ? alias.name : "balloon0";
  }

  static String vsock() {
    return "vsock0";
  }

  static String hostdev(int i) {
    return "hostdev" + i;
  }
}
