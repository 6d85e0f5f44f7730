package io.jvmm.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeBinariesTest {

  @TempDir
  Path cache;

  @Test
  void picksTheNewestCompleteVersionByNumberNotByText() throws IOException {
    install("1.9.0", KubeBinaries.NAMES.toArray(String[]::new));
    install("1.35.4", KubeBinaries.NAMES.toArray(String[]::new));
    install("1.36.0", "etcd", "kube-apiserver", "kubectl"); // no controller-manager: incomplete

    KubeBinaries found = KubeBinaries.locate(cache, null);

    assertThat(found.version()).isEqualTo("1.35.4");
    assertThat(found.kubeApiTestDir()).isEqualTo(cache.resolve("kube"));
    assertThat(found.kubeControllerManager())
        .isEqualTo(cache.resolve("kube/k8s/1.35.4-linux-amd64/kube-controller-manager"));
  }

  @Test
  void honoursARequestedVersion() throws IOException {
    install("1.34.0", KubeBinaries.NAMES.toArray(String[]::new));
    install("1.35.4", KubeBinaries.NAMES.toArray(String[]::new));

    assertThat(KubeBinaries.locate(cache, "1.34.0").version()).isEqualTo("1.34.0");
  }

  @Test
  void namesTheBuildScriptWhenNothingIsBuilt() {
    assertThatThrownBy(() -> KubeBinaries.locate(cache, null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(cache.resolve("kube/k8s").toString())
        .hasMessageContaining("e2e/k8s/build.sh");
  }

  private void install(String version, String... names) throws IOException {
    Path dir = Files.createDirectories(cache.resolve("kube/k8s/" + version + "-linux-amd64"));
    for (String name : names) {
      Files.createFile(dir.resolve(name),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    }
  }
}
