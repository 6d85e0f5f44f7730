package io.jvmm.agent.vmm;

import io.jvmm.crds.v1alpha1.Disk;
import io.jvmm.crds.v1alpha1.Rng;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.crds.v1alpha1.VirtualMachineSpec;
import io.jvmm.domain.InvalidVirtualMachineException;
import io.jvmm.domain.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The node files a VM's VMM opens, made reachable to the VM's own user before the VMM starts
 * and given back when the VM leaves the node, as libvirt's DAC driver does for QEMU: a file the
 * guest writes (a read-write disk, the variable store) is handed to the VM's user with mode 0600
 * (another VM's user cannot open it), its owner and mode before that kept in the state directory;
 * a file the guest only reads (kernel, initrd, read-only disk, firmware, entropy source) may be
 * shared by many VMs, so it is left as it is and must be readable by other users, which the
 * agent checks first so that the VM is refused with a reason instead of a VMM failing to open it.
 */
public final class VmmFileAccess {
  static final String OWNERS_FILE = "owners";

  /** A file the VM names: its field in the spec, its path, and whether the guest writes it. */
  record VmFile(String field, Path path, boolean written) {}

  private VmmFileAccess() {}

  static List<VmFile> files(VirtualMachine vm) {
    VirtualMachineSpec spec = vm.getSpec();
    List<VmFile> files = new ArrayList<>();
    if (spec.os != null) {
      add(files, "spec.os.kernel", spec.os.kernel, false);
      add(files, "spec.os.initrd", spec.os.initrd, false);
      if (spec.os.loader != null) {
        add(files, "spec.os.loader.path", spec.os.loader.path, false);
      }
      if (spec.os.nvram != null) {
        add(files, "spec.os.nvram.template", spec.os.nvram.template, false);
        add(files, "spec.os.nvram.path", spec.os.nvram.path, true);
      }
    }
    if (spec.devices != null && spec.devices.disks != null) {
      for (int i = 0; i < spec.devices.disks.size(); i++) {
        Disk d = spec.devices.disks.get(i);
        if (d.source != null) {
          add(files, "spec.devices.disks[" + i + "].source.file", d.source.file, !Boolean.TRUE.equals(d.readonly));
        }
      }
    }
    if (spec.devices != null && spec.devices.rngs != null) {
      for (int i = 0; i < spec.devices.rngs.size(); i++) {
        Rng r = spec.devices.rngs.get(i);
        if (r.backend != null) {
          add(files, "spec.devices.rngs[" + i + "].backend.path", r.backend.path, false);
        }
      }
    }
    return files;
  }

  private static void add(List<VmFile> files, String field, String path, boolean written) {
    if (path != null) {
      files.add(new VmFile(field, Path.of(path), written));
    }
  }

  /**
   * Hands the guest's writable files to {@code user} and checks that it can read the others;
   * refuses the VM, naming each field, when a file it only reads is closed to other users.
   */
  public static void grant(StateDirectory state, VmmUser user, VirtualMachine vm)
      throws IOException, InvalidVirtualMachineException {
    List<Problem> problems = new ArrayList<>();
    Map<Path, String> owners = readOwners(state);
    for (VmFile f : files(vm)) {
      if (!Files.exists(f.path())) {
        continue; // the VMM says so in its own words, as it does for the agent's own runs
      }
      if (f.written()) {
        PosixFileAttributes a = Files.readAttributes(f.path(), PosixFileAttributes.class);
        int uid = (Integer) Files.getAttribute(f.path(), "unix:uid");
        if (uid != user.uid() && !owners.containsKey(f.path())) {
          owners.put(f.path(), uid + " " + Files.getAttribute(f.path(), "unix:gid") + " "
              + PosixFilePermissions.toString(a.permissions()));
          writeOwners(state, owners);
        }
        Files.setAttribute(f.path(), "unix:gid", user.gid());
        Files.setAttribute(f.path(), "unix:uid", user.uid());
        Files.setPosixFilePermissions(f.path(), PosixFilePermissions.fromString("rw-------"));
      } else {
        String closed = closedToOthers(f.path());
        if (closed != null) {
          problems.add(new Problem(f.field(), "'" + f.path() + "' cannot be read by the VM's user (uid " + user.uid()
              + "): " + closed + "; VMMs run unprivileged, so a file several VMs may read must be readable by other"
              + " users (chmod o+r on it, o+x on its directories)"));
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidVirtualMachineException(problems);
    }
  }

  /** Gives the files handed to the VM's user back to their owners, with their modes. */
  public static void restore(StateDirectory state) throws IOException {
    Map<Path, String> owners = readOwners(state);
    for (Map.Entry<Path, String> e : owners.entrySet()) {
      String[] f = e.getValue().split(" ");
      try {
        Files.setAttribute(e.getKey(), "unix:gid", Integer.parseInt(f[1]), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(e.getKey(), "unix:uid", Integer.parseInt(f[0]), LinkOption.NOFOLLOW_LINKS);
        Files.setPosixFilePermissions(e.getKey(), PosixFilePermissions.fromString(f[2]));
      } catch (NoSuchFileException gone) {
        // deleted while the VM ran: nothing to give back
      }
    }
    Files.deleteIfExists(state.file(OWNERS_FILE));
  }

  /** Null when other users can read the file, else which part of its path stops them. */
  static String closedToOthers(Path file) throws IOException {
    Path real = file.toRealPath();
    if (!Files.readAttributes(real, PosixFileAttributes.class).permissions().contains(PosixFilePermission.OTHERS_READ)) {
      return "the file is not readable by other users";
    }
    return unreachableByOthers(real.getParent());
  }

  /** Null when other users may enter the directory and every one above it, else the first that stops them. */
  static String unreachableByOthers(Path directory) throws IOException {
    for (Path dir = directory.toRealPath(); dir != null; dir = dir.getParent()) {
      Set<PosixFilePermission> p = Files.readAttributes(dir, PosixFileAttributes.class).permissions();
      if (!p.contains(PosixFilePermission.OTHERS_EXECUTE)) {
        return "the directory " + dir + " is closed to other users";
      }
    }
    return null;
  }

  private static Map<Path, String> readOwners(StateDirectory state) throws IOException {
    Map<Path, String> owners = new LinkedHashMap<>();
    Path file = state.file(OWNERS_FILE);
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file)) {
        String[] f = line.split(" ", 4);
        if (f.length == 4) {
          owners.put(Path.of(f[3]), f[0] + " " + f[1] + " " + f[2]);
        }
      }
    }
    return owners;
  }

  private static void writeOwners(StateDirectory state, Map<Path, String> owners) throws IOException {
    StringBuilder out = new StringBuilder();
    owners.forEach((path, owner) -> out.append(owner).append(' ').append(path).append('\n'));
    StateDirectory.writeAtomically(state.file(OWNERS_FILE), out.toString());
  }
}
