package io.jvmm.agent.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.jvmm.crds.v1alpha1.NodeContract;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodePublisherTest {
  private final NodePublisher publisher = new NodePublisher(null, "node-a", "jvmm-system", Duration.ofSeconds(10),
      () -> null, Map.of(NodeContract.CONSOLE_ENDPOINT_ANNOTATION, "node-a:7443"), Clock.systemUTC());

  @Test
  void theNodeGetsOnlyTheAgentsLabelsAndAnnotations() {
    Node node = publisher.nodeMetadata(new NodeFacts("x86_64", false, 6, 12L << 30,
        List.of("0000:03:00.0", "0000:04:00.0")));
    assertThat(node.getMetadata().getName()).isEqualTo("node-a");
    assertThat(node.getMetadata().getLabels()).containsExactly(
        Map.entry(NodeContract.ARCH_LABEL, "x86_64"), Map.entry(NodeContract.KVM_LABEL, "false"));
    assertThat(node.getMetadata().getAnnotations())
        .containsEntry(NodeContract.ALLOCATABLE_VCPUS_ANNOTATION, "6")
        .containsEntry(NodeContract.ALLOCATABLE_MEMORY_ANNOTATION, Long.toString(12L << 30))
        .containsEntry(NodeContract.PASSTHROUGH_DEVICES_ANNOTATION, "0000:03:00.0,0000:04:00.0")
        .containsEntry(NodeContract.CONSOLE_ENDPOINT_ANNOTATION, "node-a:7443")
        .hasSize(4);
    assertThat(node.getSpec()).isNull();
    assertThat(node.getStatus()).isNull();
  }

  @Test
  void theLeaseIsNamedForTheNodeAndOutlivesFourMissedHeartbeats() {
    ZonedDateTime now = ZonedDateTime.parse("2026-11-24T12:00:00Z");
    Lease lease = publisher.lease(now);
    assertThat(lease.getMetadata().getName()).isEqualTo(NodeContract.LEASE_PREFIX + "node-a");
    assertThat(lease.getMetadata().getNamespace()).isEqualTo("jvmm-system");
    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("node-a");
    assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(40);
    assertThat(lease.getSpec().getRenewTime()).isEqualTo(now);
  }

  @Test
  void anAgentThatHasNotPublishedIsNotReady() {
    assertThat(publisher.publishedWithin(Duration.ofDays(1))).isFalse();
    // No API server to reach (the client is null): the heartbeat fails and readiness stays false.
    assertThatThrownBy(publisher::publish).isInstanceOf(NullPointerException.class);
    assertThat(publisher.publishedWithin(Duration.ofDays(1))).isFalse();
    assertThat(publisher.leaseDuration()).isEqualTo(Duration.ofSeconds(40));
  }
}
