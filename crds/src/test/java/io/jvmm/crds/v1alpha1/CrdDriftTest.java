package io.jvmm.crds.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The CRD under deploy/crds/ is what kubectl applies; the build generates it from the model.
 * This test fails when the two differ, so that a model change cannot ship without its CRD.
 * Run the build with -Djvmm.crds.update=true to copy the generated file there.
 */
class CrdDriftTest {
  static final String FILE = VirtualMachine.CRD_NAME + "-v1.yml";

  static Path generated() {
    return Path.of("target", "classes", "META-INF", "fabric8", FILE);
  }

  static Path checkedIn() {
    String root = System.getProperty("jvmm.root", "..");
    return Path.of(root, "deploy", "crds", FILE);
  }

  @Test
  void checkedInCrdEqualsTheGeneratedOne() throws IOException {
    assertThat(generated()).as("the crd-generator-maven-plugin output").exists();
    String fresh = Files.readString(generated());
    if (Boolean.getBoolean("jvmm.crds.update")) {
      Files.createDirectories(checkedIn().getParent());
      Files.writeString(checkedIn(), fresh);
    }
    assertThat(checkedIn()).as("deploy/crds/" + FILE).exists();
    assertThat(Files.readString(checkedIn()))
        .as("deploy/crds/%s differs from the CRD generated from the model; run"
            + " `mvn -pl crds install -Djvmm.crds.update=true` and commit it", FILE)
        .isEqualTo(fresh);
  }
}
