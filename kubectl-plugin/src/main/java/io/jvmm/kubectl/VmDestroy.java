package io.jvmm.kubectl;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * destroy NAME: virsh destroy of the transient domain virsh create made: the VMM ends and the
 * VM is gone. That is deleting the object; its finalizer holds it until the node agent reports
 * the VMM absent, and, as kubectl delete, this waits for that unless --wait=false.
 */
@Command(name = "destroy", description = "Ends the VM's VMM and deletes the VirtualMachine (waits until the node"
    + " agent has ended the VMM); virsh destroy. To stop it and keep it defined: stop")
final class VmDestroy implements Callable<Integer> {
  @CommandLine.ParentCommand
  KubectlVm root;

  @Parameters(paramLabel = "NAME")
  String name;

  @Option(names = "--wait", arity = "1", defaultValue = "true",
      description = "Wait until the object is gone, as kubectl delete (default ${DEFAULT-VALUE})")
  boolean await;

  @Option(names = "--timeout", defaultValue = "0s",
      description = "How long to wait; 0s waits as long as it takes (default ${DEFAULT-VALUE})")
  String timeout;

  @Override
  public Integer call() {
    Duration limit = Durations.parse(timeout, "--timeout");
    String namespace = root.access().namespace();
    try (KubernetesClient client = root.access().client()) {
      Resource<VirtualMachine> vm = KubectlVm.vm(client, namespace, name);
      if (vm.delete().isEmpty()) {
        root.err().println(KubectlVm.notFound(name));
        return 1;
      }
      root.out().println(KubectlVm.RESOURCE + " \"" + name + "\" destroyed");
      root.out().flush();
      if (await) {
        long millis = limit.isZero() ? TimeUnit.DAYS.toMillis(365) : limit.toMillis();
        try {
          vm.waitUntilCondition(Objects::isNull, millis, TimeUnit.MILLISECONDS);
        } catch (io.fabric8.kubernetes.client.KubernetesClientTimeoutException e) {
          root.err().println("error: timed out waiting for " + KubectlVm.RESOURCES + " \"" + name
              + "\" to be deleted; the node agent has not reported its VMM ended");
          return 1;
        }
      }
    }
    return 0;
  }
}
