package io.jvmm.agent.kube;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jvmm.agent.VmEvent;
import io.jvmm.agent.VmEventSink;
import io.jvmm.crds.v1alpha1.NodeContract;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import java.time.Clock;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the agent's VM events as core/v1 Events on the VM, from component jvmm-node-agent on
 * its node (source.host), as the kubelet records Pod events. Creating Events is the one right
 * this needs (deploy/rbac/node-agent.yaml).
 */
public final class KubernetesEventSink implements VmEventSink {
  private static final Logger log = LoggerFactory.getLogger(KubernetesEventSink.class);

  private final KubernetesClient client;
  private final String nodeName;
  private final Clock clock;

  public KubernetesEventSink(KubernetesClient client, String nodeName, Clock clock) {
    this.client = client;
    this.nodeName = nodeName;
    this.clock = clock;
  }

  /** The Event object for one of the agent's VM events. */
  Event event(VirtualMachine vm, VmEvent e) {
    String now = clock.instant().toString();
    String ns = vm.getMetadata().getNamespace();
    return new EventBuilder()
        .withNewMetadata().withNamespace(ns)
        .withName(vm.getMetadata().getName() + "." + Long.toHexString(System.nanoTime()).toLowerCase(Locale.ROOT))
        .endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder()
            .withApiVersion(VirtualMachine.API_VERSION).withKind(VirtualMachine.KIND)
            .withNamespace(ns).withName(vm.getMetadata().getName()).withUid(vm.getMetadata().getUid())
            .withResourceVersion(vm.getMetadata().getResourceVersion()).build())
        .withType(e.warning() ? "Warning" : "Normal")
        .withReason(e.reason())
        .withMessage(e.message())
        .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
        .withNewSource().withComponent(NodeContract.AGENT_FIELD_MANAGER).withHost(nodeName).endSource()
        .withReportingComponent(NodeContract.AGENT_FIELD_MANAGER)
        .withReportingInstance(nodeName)
        .build();
  }

  @Override
  public void record(VirtualMachine vm, VmEvent e) {
    try {
      client.v1().events().inNamespace(vm.getMetadata().getNamespace()).resource(event(vm, e)).create();
    } catch (KubernetesClientException ex) {
      // An event is a courtesy; losing one must not stop the agent reporting status.
      log.warn("cannot record event {} on {}/{}: {}", e.reason(), vm.getMetadata().getNamespace(),
          vm.getMetadata().getName(), ex.getMessage());
    }
  }
}
