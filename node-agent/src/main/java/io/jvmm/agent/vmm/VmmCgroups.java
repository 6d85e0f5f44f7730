package io.jvmm.agent.vmm;

import io.jvmm.agent.VmKey;
import io.jvmm.domain.VmmOverhead;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cgroup (v2) of its own for each VMM that is not in a systemd scope: {@code <root>/<ns>.<name>}
 * with memory.max, memory.swap.max, pids.max and cpu.max from {@link VmmLimits}. The launcher
 * moves itself in before it starts the VMM, so that everything the VMM allocates is charged
 * there from its first page, and copies memory.peak to the state directory when the VMM ends.
 */
public final class VmmCgroups {
  private static final Logger log = LoggerFactory.getLogger(VmmCgroups.class);
  static final Path UNIFIED = Path.of("/sys/fs/cgroup");
  private static final String CONTROLLERS = "+memory +pids +cpu";

  private final Path root;

  public VmmCgroups(Path root) {
    this.root = root;
  }

  /** /sys/fs/cgroup/jvmm where the host mounts cgroup v2 there; null (no limits, said once) elsewhere. */
  public static VmmCgroups forHost() {
    if (!Files.exists(UNIFIED.resolve("cgroup.controllers"))) {
      log.info("no cgroup v2 at {}: VMMs run without memory, task and CPU limits", UNIFIED);
      return null;
    }
    return new VmmCgroups(UNIFIED.resolve("jvmm"));
  }

  /** The VM's cgroup, made (or emptied of old limits) and limited; the launcher joins it. */
  public Path prepare(VmKey key, VmmLimits limits) throws IOException {
    enableControllers(root.getParent());
    Files.createDirectories(root);
    enableControllers(root);
    Path cgroup = root.resolve(key.namespace() + "." + key.name());
    Files.createDirectories(cgroup);
    write(cgroup, "memory.max", Long.toString(limits.memoryBytes()));
    if (Files.exists(cgroup.resolve("memory.swap.max"))) {
      write(cgroup, "memory.swap.max", "0");
    }
    write(cgroup, "pids.max", Integer.toString(limits.tasks()));
    write(cgroup, "cpu.max", limits.cpuQuotaMicros() + " " + VmmOverhead.CPU_PERIOD_MICROS);
    return cgroup;
  }

  /** Removes the VM's cgroup once no process is left in it. */
  public void remove(VmKey key) {
    try {
      Files.deleteIfExists(root.resolve(key.namespace() + "." + key.name()));
    } catch (IOException e) {
      log.warn("{}: cannot remove its cgroup: {}", key, e.getMessage());
    }
  }

  private static void enableControllers(Path cgroup) throws IOException {
    String enabled = Files.readString(cgroup.resolve("cgroup.subtree_control"));
    if (!(enabled.contains("memory") && enabled.contains("pids") && enabled.contains("cpu"))) {
      write(cgroup, "cgroup.subtree_control", CONTROLLERS);
    }
  }

  private static void write(Path cgroup, String file, String value) throws IOException {
    try {
      Files.writeString(cgroup.resolve(file), value);
    } catch (IOException e) {
      throw new IOException("cannot set " + cgroup.resolve(file) + " to " + value + ": " + e.getMessage(), e);
    }
  }
}
