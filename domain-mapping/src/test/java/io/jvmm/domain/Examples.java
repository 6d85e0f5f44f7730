package io.jvmm.domain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's examples/ folder, found through the jvmm.root property the build sets. */
final class Examples {
  private Examples() {
  }

  static Path root() {
    return Path.of(System.getProperty("jvmm.root", ".."));
  }

  static Path path(String name) {
    return root().resolve("examples").resolve(name);
  }

  static String read(String name) {
    try {
      return Files.readString(path(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] bytes(String name) {
    try {
      return Files.readAllBytes(path(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static NodePathPolicy seedRoots() {
    return NodePathPolicy.allowing(java.util.List.of("/path/to"))
        .allowingEmulators(java.util.List.of("/path/to/StratoVirt_binary_file"));
  }
}
