package io.jvmm.operator.reconcile;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import java.time.Clock;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Records a Kubernetes Event on a VM, for kubectl describe and event-driven tooling. */
final class VmEvents {
    private static final Logger LOG = LoggerFactory.getLogger(VmEvents.class);
    static final String COMPONENT = "jvmm-operator";

    private final KubernetesClient client;
    private final Clock clock;

    VmEvents(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    void record(VirtualMachine vm, boolean warning, String reason, String message) {
        String now = clock.instant().toString();
        String ns = vm.getMetadata().getNamespace();
        var event = new EventBuilder()
                .withNewMetadata()
                    .withNamespace(ns)
                    .withName(vm.getMetadata().getName() + "." + Long.toHexString(System.nanoTime()).toLowerCase(Locale.ROOT))
                .endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder()
                        .withApiVersion(VirtualMachine.API_VERSION).withKind(VirtualMachine.KIND)
                        .withNamespace(ns).withName(vm.getMetadata().getName()).withUid(vm.getMetadata().getUid())
                        .withResourceVersion(vm.getMetadata().getResourceVersion()).build())
                .withType(warning ? "Warning" : "Normal")
                .withReason(reason)
                .withMessage(message)
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .withNewSource().withComponent(COMPONENT).endSource()
                .build();
        try {
            client.v1().events().inNamespace(ns).resource(event).create();
        } catch (KubernetesClientException e) {
            // An event is a courtesy; losing one must not fail the reconcile.
            LOG.warn("cannot record event {} on {}/{}: {}", reason, ns, vm.getMetadata().getName(), e.getMessage());
        }
    }
}
