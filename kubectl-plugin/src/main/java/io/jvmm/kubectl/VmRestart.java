package io.jvmm.kubectl;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Asks for a new VMM, as kubectl rollout restart asks for new pods: a JSON merge patch that
 * sets the {@value VirtualMachine#RESTARTED_AT_ANNOTATION} annotation to now. The node agent
 * powers the guest down (ACPI, then quit after the stop grace) and starts a VMM from the spec as
 * it is, which applies what status calls RestartRequired.
 */
@Command(name = "restart", description = "Restarts the VM's VMM from its current spec (applies RestartRequired changes):"
    + " ACPI power-off, then a new VMM; as virsh reboot with a fresh definition")
final class VmRestart implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @CommandLine.ParentCommand
  KubectlVm root;

  @Parameters(paramLabel = "NAME")
  String name;

  @Override
  public Integer call() throws Exception {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    String patch = JSON.writeValueAsString(Map.of("metadata", Map.of("annotations",
        Map.of(VirtualMachine.RESTARTED_AT_ANNOTATION, now))));
    String namespace = root.access().namespace();
    try (KubernetesClient client = root.access().client()) {
      KubectlVm.vm(client, namespace, name).patch(new PatchContext.Builder()
          .withPatchType(PatchType.JSON_MERGE).withFieldManager(KubectlVm.FIELD_MANAGER).build(), patch);
    }
    root.out().println(KubectlVm.RESOURCE + "/" + name + " restart requested");
    return 0;
  }
}
