package io.jvmm.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The control-plane binaries that {@code e2e/k8s/build.sh} builds into
 * {@code ${JVMM_CACHE:-~/.cache/jvmm}/kube/k8s/<version>-linux-amd64/}, the layout kube-api-test
 * reads offline.
 *
 * @param kubeApiTestDir the directory kube-api-test calls its test dir ({@code .../kube})
 * @param version the Kubernetes version, e.g. {@code 1.35.4}
 * @param directory the directory that holds the binaries
 */
public record KubeBinaries(Path kubeApiTestDir, String version, Path directory) {

  static final String PLATFORM_SUFFIX = "-linux-amd64";
  static final List<String> NAMES =
      List.of("etcd", "kube-apiserver", "kube-controller-manager", "kubectl");

  /**
   * Finds the binaries in the cache: the version named by the system property
   * {@code jvmm.kube.version} if set, otherwise the newest complete one.
   *
   * @throws IllegalStateException naming the directory searched and the command that fills it
   */
  public static KubeBinaries locate() {
    return locate(cacheRoot(), System.getProperty("jvmm.kube.version"));
  }

  static KubeBinaries locate(Path cacheRoot, String wanted) {
    Path kubeDir = cacheRoot.resolve("kube");
    Path versionsDir = kubeDir.resolve("k8s");
    Optional<String> found;
    try (Stream<Path> dirs = Files.isDirectory(versionsDir) ? Files.list(versionsDir) : Stream.empty()) {
      found = dirs
          .filter(KubeBinaries::isComplete)
          .map(d -> d.getFileName().toString())
          .map(n -> n.substring(0, n.length() - PLATFORM_SUFFIX.length()))
          .filter(v -> wanted == null || wanted.equals(v))
          .max(Comparator.comparing(KubeBinaries::versionKey, Arrays::compare));
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + versionsDir + ": " + e.getMessage(), e);
    }
    String version = found.orElseThrow(() -> new IllegalStateException(
        "no Kubernetes control-plane binaries" + (wanted == null ? "" : " for version " + wanted)
            + " in " + versionsDir + " (each <version>" + PLATFORM_SUFFIX + "/ needs " + NAMES
            + "); build them with e2e/k8s/build.sh, or set JVMM_CACHE to where they are"));
    return new KubeBinaries(kubeDir, version, versionsDir.resolve(version + PLATFORM_SUFFIX));
  }

  /** {@code $JVMM_CACHE}, else {@code ~/.cache/jvmm}, as in e2e/k8s/build.sh. */
  static Path cacheRoot() {
    String env = System.getenv("JVMM_CACHE");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "jvmm");
  }

  public Path etcd() {
    return directory.resolve("etcd");
  }

  public Path kubeApiServer() {
    return directory.resolve("kube-apiserver");
  }

  public Path kubeControllerManager() {
    return directory.resolve("kube-controller-manager");
  }

  public Path kubectl() {
    return directory.resolve("kubectl");
  }

  private static boolean isComplete(Path dir) {
    return dir.getFileName().toString().endsWith(PLATFORM_SUFFIX)
        && NAMES.stream().allMatch(n -> Files.isExecutable(dir.resolve(n)));
  }

  private static int[] versionKey(String version) {
    return Arrays.stream(version.split("\\."))
        .mapToInt(p -> p.chars().allMatch(Character::isDigit) && !p.isEmpty() ? Integer.parseInt(p) : -1)
        .toArray();
  }
}
