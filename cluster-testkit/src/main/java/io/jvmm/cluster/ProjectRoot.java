package io.jvmm.cluster;

import java.nio.file.Files;
import java.nio.file.Path;

/** The root of the jvmm checkout, where {@code deploy/crds/} lives. */
final class ProjectRoot {

  private ProjectRoot() {
  }

  /**
   * The system property {@code jvmm.root} (the parent POM sets it for Surefire), else the nearest
   * directory above the working directory that holds {@code e2e/k8s/go.mod}.
   */
  static Path find() {
    String property = System.getProperty("jvmm.root");
    if (property != null && !property.isBlank()) {
      return Path.of(property).toAbsolutePath();
    }
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("e2e/k8s/go.mod"))) {
        return dir;
      }
    }
    throw new IllegalStateException("cannot find the jvmm checkout above " + start
        + "; set the system property jvmm.root to it");
  }
}
