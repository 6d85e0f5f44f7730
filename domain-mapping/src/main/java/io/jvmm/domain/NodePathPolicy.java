package io.jvmm.domain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What on the node a VM may name: files (disk images, kernel, initrd, firmware, variable
 * store, rng backend) only inside the allowed roots, so that a manifest cannot hand the
 * guest /etc/shadow as a disk; and as its emulator only a program the node allows (jvmm's own
 * launcher, which a VM gets by naming none, and the programs a node operator listed), so that
 * a manifest cannot run /bin/sh on the node. A file's path is judged by its text ('..' is
 * refused, not resolved) and, when it exists on this machine, by its real path too, so that a
 * symlink in an allowed root cannot point out of it.
 */
public final class NodePathPolicy {
  /** Where jvmm keeps images when the node agent is told nothing else. */
  public static final String DEFAULT_ROOT = "/var/lib/jvmm";
  /** Where the option listing more emulators is named in refusals. */
  public static final String EMULATOR_OPTION = "--allow-emulator";

  private final List<Path> roots;
  private final List<Path> emulators;

  private NodePathPolicy(List<Path> roots, List<Path> emulators) {
    this.roots = roots;
    this.emulators = emulators;
  }

  /**
   * The same roots, and these programs allowed as spec.emulator besides jvmm's own launcher
   * (absolute paths, compared exactly).
   */
  public NodePathPolicy allowingEmulators(Collection<String> programs) {
    List<Path> paths = new ArrayList<>(emulators);
    for (String program : programs) {
      Path p = Path.of(program);
      if (!p.isAbsolute() || !p.normalize().equals(p)) {
        throw new IllegalArgumentException("allowed emulator '" + program + "' is not an absolute path without '.' or '..'");
      }
      if (!paths.contains(p)) {
        paths.add(p);
      }
    }
    return new NodePathPolicy(roots, List.copyOf(paths));
  }

  public List<Path> emulators() {
    return emulators;
  }

  /**
   * Null when the VM may run under {@code emulator} (a spec.emulator value), else why not and
   * what would be right.
   */
  public String emulatorRefusal(String emulator) {
    // Compared as written: the node operator listed the path the agent will execute.
    if (emulators.stream().anyMatch(e -> e.toString().equals(emulator))) {
      return null;
    }
    String allowed = "leave spec.emulator out to run the node's jvmm" + (emulators.isEmpty() ? ""
        : ", or name one of " + emulators.stream().map(Path::toString).collect(Collectors.joining(", ")))
        + "; a node operator allows more with " + EMULATOR_OPTION;
    return "'" + emulator + "' is not a VMM this node allows: " + allowed;
  }

  public static NodePathPolicy allowing(Collection<String> roots) {
    if (roots.isEmpty()) {
      throw new IllegalArgumentException("at least one allowed root is needed");
    }
    List<Path> paths = new ArrayList<>();
    for (String root : roots) {
      Path p = Path.of(root).normalize();
      if (!p.isAbsolute()) {
        throw new IllegalArgumentException("allowed root '" + root + "' is not an absolute path");
      }
      paths.add(p);
    }
    return new NodePathPolicy(List.copyOf(paths), List.of());
  }

  public List<Path> roots() {
    return roots;
  }

  /** Null when the path may be used, else what is wrong with it and what would be right. */
  public String refusal(String path) {
    Path p;
    try {
      p = Path.of(path);
    } catch (InvalidPathException e) {
      return "'" + path + "' is not a valid path";
    }
    if (!inside(p)) {
      return "'" + path + "' is outside the allowed roots (" + describeRoots() + "); put the file under one of"
          + " them, or allow its directory on the node";
    }
    if (Files.exists(p)) {
      try {
        Path real = p.toRealPath();
        if (!inside(real)) {
          return "'" + path + "' resolves to '" + real + "', outside the allowed roots (" + describeRoots() + ")";
        }
      } catch (IOException e) {
        return "'" + path + "' cannot be resolved: " + e.getMessage();
      }
    }
    return null;
  }

  private boolean inside(Path p) {
    return roots.stream().anyMatch(p::startsWith);
  }

  private String describeRoots() {
    return roots.stream().map(Path::toString).collect(Collectors.joining(", "));
  }
}
