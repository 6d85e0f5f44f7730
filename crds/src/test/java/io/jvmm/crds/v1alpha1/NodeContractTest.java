package io.jvmm.crds.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NodeContractTest {

  @Test
  void aShortNodeNameIsItsOwnLabelValue() {
    assertThat(NodeContract.nodeLabelValue("worker-1.example.com")).isEqualTo("worker-1.example.com");
  }

  @Test
  void aLongNodeNameBecomesAValidLabelValueUniqueToIt() {
    String base = "ip-10-0-0-1.eu-west-1.compute.internal.".repeat(3);
    String one = NodeContract.nodeLabelValue(base + "a");
    String two = NodeContract.nodeLabelValue(base + "b");

    assertThat(one).hasSizeLessThanOrEqualTo(63).matches("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$");
    assertThat(one).isNotEqualTo(two).startsWith("ip-10-0-0-1");
    assertThat(NodeContract.nodeLabelValue(base + "a")).isEqualTo(one);
  }
}
