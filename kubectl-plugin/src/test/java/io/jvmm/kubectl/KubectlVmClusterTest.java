package io.jvmm.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.jvmm.cluster.ClusterNamespace;
import io.jvmm.cluster.KubeClusterTest;
import io.jvmm.crds.v1alpha1.NetworkInterface;
import io.jvmm.crds.v1alpha1.RunState;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.crds.v1alpha1.VirtualMachineStatus;
import io.jvmm.domain.DomainXmlExporter;
import io.jvmm.domain.ManifestYaml;
import io.jvmm.testkit.ProjectRoot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kubectl vm against the real kube-apiserver (cluster-testkit): every verb changes what it says it does. */
@KubeClusterTest
class KubectlVmClusterTest {
  static final Path EXAMPLES = ProjectRoot.path().resolve("examples");

  @TempDir
  Path dir;

  private static VirtualMachine vm(ClusterNamespace ns, String name) {
    return ns.client().resources(VirtualMachine.class).withName(name).get();
  }

  @Test
  void createsFromAManifestAndFromADomainXmlAndLists(ClusterNamespace ns) throws Exception {
    PluginRun manifest = PluginRun.run(ns, "create", EXAMPLES.resolve("seed-vm.yaml").toString());
    assertThat(manifest.exitCode()).as(manifest.stderr()).isZero();
    assertThat(manifest.stdout()).isEqualTo("virtualmachine.jvmm.io/stratovirt created\n");
    assertThat(vm(ns, "stratovirt").getSpec().vcpu).isEqualTo(4);

    Path xml = dir.resolve("other.xml");
    Files.writeString(xml, Files.readString(EXAMPLES.resolve("seed-vm.xml"))
        .replace("<name>StratoVirt</name>", "<name>seed-from-xml</name>"));
    PluginRun fromXml = PluginRun.run(ns, "create", xml.toString());
    assertThat(fromXml.exitCode()).as(fromXml.stderr()).isZero();
    assertThat(fromXml.stdout()).isEqualTo("virtualmachine.jvmm.io/seed-from-xml created\n");
    assertThat(vm(ns, "seed-from-xml").getSpec().memory).isEqualTo("8GiB");

    PluginRun again = PluginRun.run(ns, "create", EXAMPLES.resolve("seed-vm.yaml").toString());
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.stderr().strip())
        .isEqualTo("Error from server (AlreadyExists): virtualmachines.jvmm.io \"stratovirt\" already exists");

    // As the operator would report a running VM: Ready, Running, on a node.
    VirtualMachine running = vm(ns, "stratovirt");
    running.setStatus(new VirtualMachineStatus());
    running.getStatus().phase = VirtualMachineStatus.Phase.RUNNING;
    running.getStatus().nodeName = "node-a";
    running.getStatus().conditions = java.util.List.of(new ConditionBuilder()
        .withType(VirtualMachineStatus.CONDITION_READY).withStatus("True").withReason("Running")
        .withMessage("the guest runs").withLastTransitionTime(Instant.now().toString().replaceAll("\\.\\d+Z$", "Z"))
        .build());
    ns.client().resource(running).updateStatus();

    PluginRun list = PluginRun.run(ns, "list");
    assertThat(list.exitCode()).as(list.stderr()).isZero();
    String[] lines = list.stdout().split("\n");
    assertThat(lines[0]).matches("NAME +READY +STATE +NODE +VCPUS +MEMORY +AGE");
    assertThat(lines).hasSize(3);
    assertThat(lines[1]).startsWith("seed-from-xml ").contains(" 4 ").contains(" 8GiB ");
    assertThat(lines[2]).matches("stratovirt +True +Running +node-a +4 +8GiB +\\S+");

    PluginRun all = PluginRun.run(ns, "list", "-A");
    assertThat(all.stdout()).startsWith("NAMESPACE ").contains(ns.name() + "   seed-from-xml");

    PluginRun elsewhere = PluginRun.run(ns, "list", "-n", ns.name() + "-empty");
    assertThat(elsewhere.stdout()).isEmpty();
    assertThat(elsewhere.stderr().strip()).isEqualTo("No resources found in " + ns.name() + "-empty namespace.");
  }

  @Test
  void runStateVerbsPatchOnlySpecRunStateAndDoNotFightAGitOpsApplier(ClusterNamespace ns) throws Exception {
    // As Flux would: a server-side apply by its own field manager that owns spec.runState.
    VirtualMachine applied = ManifestYaml.read(Files.readAllBytes(EXAMPLES.resolve("seed-vm.yaml")));
    applied.getSpec().runState = RunState.RUNNING;
    ns.client().resource(applied).fieldManager("kustomize-controller").forceConflicts().serverSideApply();

    String[][] steps = {{"suspend", "suspended", "PAUSED"}, {"resume", "resumed", "RUNNING"},
        {"stop", "stopped", "STOPPED"}, {"start", "started", "RUNNING"},
        {"shutdown", "shutdown requested (ACPI power button)", "STOPPED"}};
    for (String[] step : steps) {
      PluginRun run = PluginRun.run(ns, step[0], "stratovirt");
      assertThat(run.exitCode()).as(step[0] + ": " + run.stderr()).isZero();
      assertThat(run.stdout()).isEqualTo("virtualmachine.jvmm.io/stratovirt " + step[1] + "\n");
      assertThat(vm(ns, "stratovirt").getSpec().runState).as(step[0]).isEqualTo(RunState.valueOf(step[2]));
    }
    VirtualMachine after = vm(ns, "stratovirt");
    assertThat(after.getSpec().vcpu).isEqualTo(4);
    assertThat(after.getMetadata().getManagedFields()).extracting(ManagedFieldsEntry::getManager)
        .contains("kubectl-vm", "kustomize-controller");
    ManagedFieldsEntry ours = after.getMetadata().getManagedFields().stream()
        .filter(m -> m.getManager().equals("kubectl-vm")).findFirst().orElseThrow();
    assertThat(ours.getOperation()).isEqualTo("Update");
    assertThat(ours.getFieldsV1().getAdditionalProperties().toString()).contains("f:runState").doesNotContain("f:vcpu");

    // The applier's next apply sets its value back, without a conflict to resolve.
    ns.client().resource(applied).fieldManager("kustomize-controller").forceConflicts().serverSideApply();
    assertThat(vm(ns, "stratovirt").getSpec().runState).isEqualTo(RunState.RUNNING);

    // restart marks the time it asked, as kubectl rollout restart does; the spec stays as applied.
    Instant asked = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    PluginRun restart = PluginRun.run(ns, "restart", "stratovirt");
    assertThat(restart.exitCode()).as(restart.stderr()).isZero();
    assertThat(restart.stdout()).isEqualTo("virtualmachine.jvmm.io/stratovirt restart requested\n");
    VirtualMachine restarted = vm(ns, "stratovirt");
    assertThat(Instant.parse(restarted.getMetadata().getAnnotations().get(VirtualMachine.RESTARTED_AT_ANNOTATION)))
        .isAfterOrEqualTo(asked);
    assertThat(restarted.getSpec().runState).isEqualTo(RunState.RUNNING);
    ns.client().resource(applied).fieldManager("kustomize-controller").forceConflicts().serverSideApply();
    assertThat(vm(ns, "stratovirt").getMetadata().getAnnotations()).as("an applier that does not own it leaves it")
        .containsKey(VirtualMachine.RESTARTED_AT_ANNOTATION);

    PluginRun destroy = PluginRun.run(ns, "destroy", "stratovirt");
    assertThat(destroy.exitCode()).as(destroy.stderr()).isZero();
    assertThat(destroy.stdout()).isEqualTo("virtualmachine.jvmm.io \"stratovirt\" destroyed\n");
    assertThat(vm(ns, "stratovirt")).isNull();
  }

  @Test
  void notFoundForbiddenAndInvalidInputAreSaidAsKubectlSaysThem(ClusterNamespace ns) throws Exception {
    String notFound = "Error from server (NotFound): virtualmachines.jvmm.io \"missing\" not found";
    for (String verb : new String[] {"suspend", "resume", "start", "stop", "shutdown", "destroy", "export"}) {
      PluginRun run = PluginRun.run(ns, verb, "missing");
      assertThat(run.exitCode()).as(verb).isEqualTo(1);
      assertThat(run.stderr().strip()).as(verb).isEqualTo(notFound);
    }

    assertThat(PluginRun.run(ns, "create", EXAMPLES.resolve("seed-vm.yaml").toString()).exitCode()).isZero();
    // A user who may read VMs but not change them.
    Path viewer = PluginRun.tokenKubeconfig(ns, "viewer", dir);
    ns.client().rbac().roles().resource(new RoleBuilder().withNewMetadata().withName("vm-viewer").endMetadata()
        .addNewRule().withApiGroups("jvmm.io").withResources("virtualmachines").withVerbs("get", "list").endRule()
        .build()).create();
    ns.client().rbac().roleBindings().resource(new RoleBindingBuilder().withNewMetadata().withName("vm-viewer")
        .endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role")
        .withName("vm-viewer").endRoleRef().addNewSubject().withKind("ServiceAccount").withName("viewer")
        .withNamespace(ns.name()).endSubject().build()).create();
    assertThat(PluginRun.run(viewer, null, "list").exitCode()).isZero();
    PluginRun forbidden = PluginRun.run(viewer, null, "suspend", "stratovirt");
    assertThat(forbidden.exitCode()).isEqualTo(1);
    assertThat(forbidden.stderr().strip()).isEqualTo("Error from server (Forbidden): virtualmachines.jvmm.io"
        + " \"stratovirt\" is forbidden: User \"" + PluginRun.user(ns, "viewer") + "\" cannot patch resource"
        + " \"virtualmachines\" in API group \"jvmm.io\" in the namespace \"" + ns.name() + "\"");
    assertThat(vm(ns, "stratovirt").getSpec().runState).isNotEqualTo(RunState.PAUSED);

    Path nobody = PluginRun.tokenKubeconfig(ns, "nobody", dir);
    PluginRun forbiddenList = PluginRun.run(nobody, null, "list");
    assertThat(forbiddenList.exitCode()).isEqualTo(1);
    assertThat(forbiddenList.stderr()).startsWith("Error from server (Forbidden): virtualmachines.jvmm.io is"
        + " forbidden: User \"" + PluginRun.user(ns, "nobody") + "\" cannot list resource");

    // Refused by the CRD's schema on the API server, with its message.
    Path zeroCpus = dir.resolve("zero.yaml");
    Files.writeString(zeroCpus, Files.readString(EXAMPLES.resolve("seed-vm.yaml"))
        .replace("name: stratovirt", "name: zero").replace("vcpu: 4", "vcpu: 0"));
    PluginRun invalid = PluginRun.run(ns, "create", zeroCpus.toString());
    assertThat(invalid.exitCode()).isEqualTo(1);
    assertThat(invalid.stderr()).startsWith("The VirtualMachine \"zero\" is invalid: ")
        .contains("spec.vcpu").contains("greater than or equal to 1");

    // Refused here, before the API server: a field the API does not have, named with its path.
    Path unknownField = dir.resolve("unknown.yaml");
    Files.writeString(unknownField, Files.readString(EXAMPLES.resolve("seed-vm.yaml"))
        .replace("  vcpu: 4", "  vcpu: 4\n  cpus: 4"));
    PluginRun local = PluginRun.run(ns, "create", unknownField.toString());
    assertThat(local.exitCode()).isEqualTo(1);
    assertThat(local.stderr()).startsWith("error: the VirtualMachine is not valid:").contains("spec")
        .contains("unknown field cpus");

    PluginRun noFile = PluginRun.run(ns, "create", dir.resolve("absent.yaml").toString());
    assertThat(noFile.exitCode()).isEqualTo(1);
    assertThat(noFile.stderr().strip()).isEqualTo("error: the path \"" + dir.resolve("absent.yaml") + "\" does not exist");

    Files.writeString(dir.resolve("ns.yaml"), Files.readString(EXAMPLES.resolve("seed-vm.yaml"))
        .replace("  name: stratovirt", "  name: stratovirt\n  namespace: " + ns.name()));
    PluginRun otherNamespace = PluginRun.run(ns, "create", "-n", "elsewhere", dir.resolve("ns.yaml").toString());
    assertThat(otherNamespace.exitCode()).isEqualTo(1);
    assertThat(otherNamespace.stderr().strip()).isEqualTo("error: the namespace from the provided object \""
        + ns.name() + "\" does not match the namespace \"elsewhere\". You must pass '--namespace=" + ns.name()
        + "' to perform this operation.");

    PluginRun context = PluginRun.run(ns, "--context", "nope", "list");
    assertThat(context.exitCode()).isEqualTo(1);
    assertThat(context.stderr().strip()).isEqualTo("error: context \"nope\" does not exist");

    PluginRun usage = PluginRun.run(ns, "suspend");
    assertThat(usage.exitCode()).isEqualTo(1);
    assertThat(usage.stderr()).startsWith("error: Missing required parameter: 'NAME'");
  }

  @Test
  void importAndExportRoundTripThroughTheCluster(ClusterNamespace ns) throws Exception {
    PluginRun imported = PluginRun.run((Path) null, null, "import", EXAMPLES.resolve("seed-vm.xml").toString());
    assertThat(imported.exitCode()).as(imported.stderr()).isZero();
    VirtualMachine fromXml = ManifestYaml.read(imported.stdout().getBytes(StandardCharsets.UTF_8));
    assertThat(fromXml.getMetadata().getName()).isEqualTo("stratovirt");

    PluginRun created = PluginRun.run(ns.kubeconfig(), imported.stdout(), "create", "-");
    assertThat(created.exitCode()).as(created.stderr()).isZero();

    PluginRun exported = PluginRun.run(ns, "export", "stratovirt");
    assertThat(exported.exitCode()).as(exported.stderr()).isZero();
    assertThat(exported.stdout()).startsWith("<domain").contains("<name>StratoVirt</name>");

    PluginRun reimported = PluginRun.run((Path) null, exported.stdout(), "import", "-");
    assertThat(reimported.exitCode()).as(reimported.stderr()).isZero();
    VirtualMachine back = ManifestYaml.read(reimported.stdout().getBytes(StandardCharsets.UTF_8));
    // The same VM: export writes one spelling (libvirt's) of what import read in the seed's.
    assertThat(DomainXmlExporter.toXml(back)).isEqualTo(DomainXmlExporter.toXml(fromXml));
    assertThat(back.getSpec().devices.interfaces.get(0).type).isEqualTo(NetworkInterface.Type.BRIDGE);

    PluginRun notXml = PluginRun.run((Path) null, null, "import", EXAMPLES.resolve("seed-vm.yaml").toString());
    assertThat(notXml.exitCode()).isEqualTo(1);
    assertThat(notXml.stderr()).contains("is not XML; import reads a libvirt domain XML");
  }
}
