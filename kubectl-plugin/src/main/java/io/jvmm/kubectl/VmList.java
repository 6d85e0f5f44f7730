package io.jvmm.kubectl;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** list: the VMs with the CRD's printer columns, in kubectl get's table layout; virsh list. */
@Command(name = "list", description = "Lists the VMs of the namespace (-A: of all namespaces) with their state; virsh list")
final class VmList implements Callable<Integer> {
  @CommandLine.ParentCommand
  KubectlVm root;

  @Option(names = {"-A", "--all-namespaces"}, description = "VMs of every namespace")
  boolean allNamespaces;

  @Override
  public Integer call() {
    String namespace = root.access().namespace();
    List<VirtualMachine> vms;
    try (KubernetesClient client = root.access().client()) {
      vms = new ArrayList<>(allNamespaces ? client.resources(VirtualMachine.class).inAnyNamespace().list().getItems()
          : client.resources(VirtualMachine.class).inNamespace(namespace).list().getItems());
    }
    if (vms.isEmpty()) {
      root.err().println(allNamespaces ? "No resources found" : "No resources found in " + namespace + " namespace.");
      return 0;
    }
    vms.sort(Comparator.comparing((VirtualMachine v) -> v.getMetadata().getNamespace())
        .thenComparing(v -> v.getMetadata().getName()));
    List<String[]> rows = new ArrayList<>();
    rows.add(allNamespaces ? new String[] {"NAMESPACE", "NAME", "READY", "STATE", "NODE", "VCPUS", "MEMORY", "AGE"}
        : new String[] {"NAME", "READY", "STATE", "NODE", "VCPUS", "MEMORY", "AGE"});
    Instant now = Instant.now();
    for (VirtualMachine vm : vms) {
      String state = vm.getStatus() == null || vm.getStatus().phase == null ? ""
          : io.fabric8.kubernetes.client.utils.Serialization.asJson(vm.getStatus().phase).replace("\"", "");
      String node = vm.getStatus() == null || vm.getStatus().nodeName == null ? "" : vm.getStatus().nodeName;
      String age = vm.getMetadata().getCreationTimestamp() == null ? "<unknown>"
          : Durations.human(Duration.between(Instant.parse(vm.getMetadata().getCreationTimestamp()), now));
      String vcpus = vm.getSpec().vcpu == null ? "" : vm.getSpec().vcpu.toString();
      String memory = vm.getSpec().memory == null ? "" : vm.getSpec().memory;
      String[] row = {vm.getMetadata().getName(), ready(vm), state, node, vcpus, memory, age};
      if (allNamespaces) {
        String[] wide = new String[row.length + 1];
        wide[0] = vm.getMetadata().getNamespace();
        System.arraycopy(row, 0, wide, 1, row.length);
        row = wide;
      }
      rows.add(row);
    }
    print(rows, root.out());
    return 0;
  }

  /**
   * The Ready condition's status, as the CRD's Ready column: empty where there is none, as for a
   * VM settled Stopped or Paused (nothing to be ready).
   */
  private static String ready(VirtualMachine vm) {
    if (vm.getStatus() == null || vm.getStatus().conditions == null) {
      return "";
    }
    return vm.getStatus().conditions.stream()
        .filter(c -> io.jvmm.crds.v1alpha1.VirtualMachineStatus.CONDITION_READY.equals(c.getType()))
        .map(c -> c.getStatus()).findFirst().orElse("");
  }

  /** Columns three spaces apart, as kubectl's tabwriter lays them out. */
  static void print(List<String[]> rows, PrintWriter out) {
    int[] width = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(row[i]);
        if (i < row.length - 1) {
          line.append(" ".repeat(width[i] - row[i].length() + 3));
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
