package io.jvmm.kubectl;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.domain.DomainXmlExporter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** export NAME: the cluster's VM as a libvirt domain XML on stdout; virsh dumpxml. */
@Command(name = "export", description = "Prints the VM as a libvirt domain XML; virsh dumpxml")
final class VmExport implements Callable<Integer> {
  @CommandLine.ParentCommand
  KubectlVm root;

  @Parameters(paramLabel = "NAME")
  String name;

  @Override
  public Integer call() {
    String namespace = root.access().namespace();
    VirtualMachine vm;
    try (KubernetesClient client = root.access().client()) {
      vm = KubectlVm.vm(client, namespace, name).get();
    }
    if (vm == null) {
      root.err().println(KubectlVm.notFound(name));
      return 1;
    }
    root.out().print(DomainXmlExporter.toXml(vm));
    return 0;
  }
}
