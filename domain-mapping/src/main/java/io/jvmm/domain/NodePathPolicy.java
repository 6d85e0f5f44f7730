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
 * Where on the node a VM may name files (disk images, kernel, initrd, firmware, variable
 * store, rng backend): only inside the allowed roots, so that a manifest cannot hand the
 * guest /etc/shadow as a disk. A path is judged by its text ('..' is refused, not resolved)
 * and, when it exists on this machine, by its real path too, so that a symlink in an allowed
 * root cannot point out of it.
 */
public final class NodePathPolicy {
  /** Where jvmm keeps images when the node agent is told nothing else. */
  public static final String DEFAULT_ROOT = "/var/lib/jvmm";

  private final List<Path> roots;

  private NodePathPolicy(List<Path> roots) {
    this.roots = roots;
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
    return new NodePathPolicy(List.copyOf(paths));
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
