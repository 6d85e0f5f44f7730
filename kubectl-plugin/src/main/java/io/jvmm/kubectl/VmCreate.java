package io.jvmm.kubectl;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** create FILE: a manifest as it is, or a domain XML converted by domain-mapping, created on the cluster. */
@Command(name = "create", description = "Creates the VM of a VirtualMachine manifest or a libvirt domain XML"
    + " (\"-\": standard input); virsh create")
final class VmCreate implements Callable<Integer> {
  @CommandLine.ParentCommand
  KubectlVm root;

  @Parameters(paramLabel = "FILE")
  String file;

  @Override
  public Integer call() throws Exception {
    VirtualMachine vm = VmFiles.read(file, root.stdin, root.err());
    String fromFile = vm.getMetadata().getNamespace();
    String explicit = root.explicitNamespace();
    if (fromFile != null && explicit != null && !fromFile.equals(explicit)) {
      throw new UsageException("the namespace from the provided object \"" + fromFile + "\" does not match the"
          + " namespace \"" + explicit + "\". You must pass '--namespace=" + fromFile + "' to perform this operation.");
    }
    String namespace = fromFile != null ? fromFile : root.access().namespace();
    vm.getMetadata().setNamespace(namespace);
    try (KubernetesClient client = root.access().client()) {
      VirtualMachine created = client.resources(VirtualMachine.class).inNamespace(namespace).resource(vm).create();
      root.out().println(KubectlVm.RESOURCE + "/" + created.getMetadata().getName() + " created");
    }
    return 0;
  }
}
