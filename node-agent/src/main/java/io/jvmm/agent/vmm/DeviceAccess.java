package io.jvmm.agent.vmm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets unprivileged VMMs open the node's KVM, tun and vhost devices through a group, as udev's
 * rules do on most distributions (root:kvm, 0660): a device already open to its group (not
 * root's) lends that group; one open to everybody needs none; one open to root only (a bare
 * devtmpfs, as in a minimal node or container) is given to the node's device group, mode 0660.
 */
public final class DeviceAccess {
  private static final Logger log = LoggerFactory.getLogger(DeviceAccess.class);
  static final List<Path> DEVICES = List.of(Path.of("/dev/kvm"), Path.of("/dev/net/tun"), Path.of("/dev/vhost-net"),
      Path.of("/dev/vhost-vsock"));

  private final List<Path> devices;
  private final int deviceGroup;

  public DeviceAccess(List<Path> devices, int deviceGroup) {
    this.devices = devices;
    this.deviceGroup = deviceGroup;
  }

  /** The node's devices, with the group named kvm in /etc/group, else {@code fallbackGroup}. */
  public static DeviceAccess forNode(int fallbackGroup) {
    return new DeviceAccess(DEVICES, kvmGroup().orElse(fallbackGroup));
  }

  static java.util.Optional<Integer> kvmGroup() {
    try {
      for (String line : Files.readAllLines(Path.of("/etc/group"))) {
        String[] f = line.split(":", -1);
        if (f.length >= 3 && f[0].equals("kvm")) {
          return java.util.Optional.of(Integer.parseInt(f[2]));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // no usable group file: the fallback group
    }
    return java.util.Optional.empty();
  }

  /** The groups a VMM needs for the devices, after opening those that were root's only to the device group. */
  public List<Integer> groups() throws IOException {
    List<Integer> groups = new ArrayList<>();
    for (Path device : devices) {
      if (!Files.exists(device)) {
        continue;
      }
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(device);
      if (mode.contains(PosixFilePermission.OTHERS_READ) && mode.contains(PosixFilePermission.OTHERS_WRITE)) {
        continue;
      }
      int group = (Integer) Files.getAttribute(device, "unix:gid");
      boolean groupOpen = mode.contains(PosixFilePermission.GROUP_READ) && mode.contains(PosixFilePermission.GROUP_WRITE);
      if (group == 0 || !groupOpen) {
        Files.setAttribute(device, "unix:gid", deviceGroup);
        mode.add(PosixFilePermission.GROUP_READ);
        mode.add(PosixFilePermission.GROUP_WRITE);
        Files.setPosixFilePermissions(device, mode);
        log.info("{}: opened to group {} (mode 0660) for unprivileged VMMs", device, deviceGroup);
        group = deviceGroup;
      }
      if (!groups.contains(group)) {
        groups.add(group);
      }
    }
    return groups;
  }
}
