package io.jvmm.agent.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvmm.agent.TestVms;
import io.jvmm.crds.v1alpha1.AgentStatus;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.crds.v1alpha1.VirtualMachineStatus;
import org.junit.jupiter.api.Test;

class KubernetesStatusSinkTest {
  @Test
  void theApplyConfigurationHoldsOnlyTheVmsIdentityAndStatusAgent() throws Exception {
    VirtualMachine vm = new VirtualMachine();
    vm.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withNamespace("ns").withName("web")
        .withGeneration(4L).withResourceVersion("77").addToLabels("a", "b").build());
    vm.setStatus(new VirtualMachineStatus());
    vm.getStatus().phase = VirtualMachineStatus.Phase.RUNNING;
    AgentStatus status = new AgentStatus();
    status.nodeName = "node-a";
    status.state = AgentStatus.VmmState.RUNNING;
    status.qmpStatus = "running";
    status.pid = 42L;

    JsonNode json = new ObjectMapper().valueToTree(KubernetesStatusSink.applyConfiguration(vm, status));

    assertThat(json.path("apiVersion").asText()).isEqualTo("jvmm.io/v1alpha1");
    assertThat(json.path("kind").asText()).isEqualTo("VirtualMachine");
    assertThat(json.path("metadata").properties()).extracting(java.util.Map.Entry::getKey)
        .containsExactlyInAnyOrder("name", "namespace");
    assertThat(json.has("spec")).isFalse();
    assertThat(json.path("status").properties()).extracting(java.util.Map.Entry::getKey).containsExactly("agent");
    assertThat(json.path("status").path("agent").path("state").asText()).isEqualTo("Running");
    assertThat(json.path("status").path("agent").path("pid").asLong()).isEqualTo(42);
    TestVms.class.getName();
  }
}
