package io.jvmm.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

class KubeClusterExtensionTest {

  /** A namespace name must be a DNS-1123 label: lower-case alphanumerics and '-', at most 63. */
  private static final String DNS_1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";

  @Test
  void namespaceNameIsALabelMadeFromTheTest() throws NoSuchMethodException {
    Method method = getClass().getDeclaredMethod("namespaceNameIsALabelMadeFromTheTest");

    String name = KubeClusterExtension.namespaceName(method);

    assertThat(name).matches(DNS_1123_LABEL).hasSizeLessThanOrEqualTo(63)
        .startsWith("kube-cluster-extension-test-namespace-name-is-a-label");
  }

  @Test
  void aVeryLongTestNameIsCutToFit() throws NoSuchMethodException {
    Method method = getClass().getDeclaredMethod(
        "aTestWhoseNameIsFarLongerThanSixtyThreeCharactersBecauseItDescribesTooMuch_really");

    String name = KubeClusterExtension.namespaceName(method);

    assertThat(name).matches(DNS_1123_LABEL).hasSizeLessThanOrEqualTo(63);
  }

  @Test
  void twoCallsGiveTwoNames() throws NoSuchMethodException {
    Method method = getClass().getDeclaredMethod("twoCallsGiveTwoNames");

    assertThat(KubeClusterExtension.namespaceName(method))
        .isNotEqualTo(KubeClusterExtension.namespaceName(method));
  }

  @SuppressWarnings("unused")
  private void aTestWhoseNameIsFarLongerThanSixtyThreeCharactersBecauseItDescribesTooMuch_really() {
  }
}
