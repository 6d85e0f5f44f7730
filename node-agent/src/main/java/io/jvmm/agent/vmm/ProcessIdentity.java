package io.jvmm.agent.vmm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What tells one process from another that later gets its pid: the node's boot id and the
 * process's start time in clock ticks since that boot (/proc/PID/stat, field 22). The pair is
 * unique for the life of the node's kernel.
 */
public record ProcessIdentity(String bootId, long startTicks) {
  static final String FILE = "vmm.identity";
  private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

  /** The running process's identity; empty when it is gone. */
  public static Optional<ProcessIdentity> of(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // comm may hold spaces and parentheses: the fields after it start after the last ')'.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Optional.of(new ProcessIdentity(Files.readString(BOOT_ID).trim(), Long.parseLong(fields[19])));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  static Optional<ProcessIdentity> read(Path file) {
    try {
      String[] f = Files.readString(file).trim().split(" ");
      return f.length == 2 ? Optional.of(new ProcessIdentity(f[0], Long.parseLong(f[1]))) : Optional.empty();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  String text() {
    return bootId + " " + startTicks;
  }
}
