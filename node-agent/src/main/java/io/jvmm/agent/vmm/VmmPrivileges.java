package io.jvmm.agent.vmm;

import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.domain.InvalidVirtualMachineException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * What a root agent does so that each VMM runs unprivileged: the VM's own user (from
 * {@link VmmUserAllocator}), its directory for sockets (mode 0700, its user's alone), its
 * writable files handed to it and its read-only ones checked ({@link VmmFileAccess}), the
 * devices opened to a group it gets ({@link DeviceAccess}), its taps made for it
 * ({@link VmmTaps}), and the command that drops to that
 * user ({@link VmmUser#dropPrivileges}). An agent that is not root cannot change user: its VMMs
 * run as itself, which is unprivileged already.
 */
public final class VmmPrivileges {
  private final VmmUserAllocator users;
  private final DeviceAccess devices;
  private final VmmTaps taps;
  private final Map<String, String> environment;

  public VmmPrivileges(VmmUserAllocator users, DeviceAccess devices, VmmTaps taps, Map<String, String> environment) {
    this.users = users;
    this.devices = devices;
    this.taps = taps;
    this.environment = environment;
  }

  /** Per-VM users from the default range when this agent runs as root, else none (null). */
  public static VmmPrivileges forThisAgent(Path stateRoot) {
    return forThisAgent(stateRoot, false);
  }

  /** As {@link #forThisAgent(Path)}; {@code makeBridges}: a bridge an interface names is made when missing. */
  public static VmmPrivileges forThisAgent(Path stateRoot, boolean makeBridges) {
    if (!runningAsRoot()) {
      return null;
    }
    return new VmmPrivileges(new VmmUserAllocator(stateRoot, VmmUserAllocator.DEFAULT_FIRST, VmmUserAllocator.DEFAULT_COUNT),
        DeviceAccess.forNode(VmmUserAllocator.DEFAULT_FIRST - 1), VmmTaps.forHost(makeBridges), System.getenv());
  }

  static boolean runningAsRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[2].equals("0"); // the effective uid
        }
      }
    } catch (IOException e) {
      // not Linux: no privileges to drop
    }
    return false;
  }

  /**
   * Readies the VM's user, directory, files and devices; returns the argv that goes in front of
   * the VMM's own to run it as that user.
   */
  public List<String> prepare(StateDirectory state, VirtualMachine vm) throws IOException, InvalidVirtualMachineException {
    int uid = users.assign(state);
    VmmUser user = new VmmUser(uid, uid, devices.groups());
    state.create();
    Path own = state.vmmDirectory();
    Files.setAttribute(own, "unix:gid", uid);
    Files.setAttribute(own, "unix:uid", uid);
    Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rwx------"));
    String closed = VmmFileAccess.unreachableByOthers(own.getParent());
    if (closed != null) {
      throw new IOException("the VM's user (uid " + uid + ") cannot reach its directory " + own + ": " + closed
          + "; give other users search permission on the state directories (chmod o+x)");
    }
    VmmFileAccess.grant(state, user, vm);
    taps.create(state, vm, uid, uid);
    return user.dropPrivileges(environment, own.toString());
  }

  /** The VM has left the node: its files go back to their owners, its taps go. */
  public void release(StateDirectory state) throws IOException {
    try {
      taps.remove(state);
    } finally {
      VmmFileAccess.restore(state);
    }
  }
}
