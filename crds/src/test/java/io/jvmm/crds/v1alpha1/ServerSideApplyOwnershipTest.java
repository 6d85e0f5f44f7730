package io.jvmm.crds.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvmm.cluster.ClusterNamespace;
import io.jvmm.cluster.KubeClusterTest;
import io.jvmm.cluster.Kubectl;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Map lists under server-side apply on a real kube-apiserver: two field managers each own their
 * own controllers, disks and interfaces of one VM, and their own condition types in its status, and neither apply
 * takes or drops the other's entries (with atomic lists the second apply conflicts with the
 * first manager, who owns the whole list). Two entries with the same keys are refused.
 */
@KubeClusterTest
class ServerSideApplyOwnershipTest {
  static final String VM = "stratovirt";
  /** Applies the seed's VM: root ports 1..7 and the virtio-serial controller. */
  static final String MANAGER_A = "a";
  /** Adds root port 8. */
  static final String MANAGER_B = "b";
  /** Root ports 7 and 8 as managedFields names map-list entries. */
  static final String ROOT_PORT_7_KEY = "k:{\"index\":7,\"type\":\"pci\"}";
  static final String ROOT_PORT_8_KEY = "k:{\"index\":8,\"type\":\"pci\"}";
  static final String ROOT_PORT_8 = "  - type: pci\n    index: 8\n    model: pcie-root-port\n";
  /** The seed's disk and interface, and b's own, as managedFields names them. */
  static final String SEED_DISK_KEY = "k:{\"name\":\"hda\"}";
  static final String SEED_INTERFACE_KEY = "k:{\"name\":\"tap0\"}";
  static final String DATA_DISK_KEY = "k:{\"name\":\"data\"}";
  static final String DATA_DISK = "  - name: data\n    type: file\n    device: disk\n"
      + "    source: {file: /var/lib/jvmm/data.img}\n    target: {dev: vdb, bus: virtio}\n";

  /** An apply configuration of the seed's VM: its name and {@code body} under {@code key}, or nothing else. */
  static String vmWith(String key, String body) {
    return "apiVersion: " + VirtualMachine.API_VERSION + "\nkind: " + VirtualMachine.KIND
        + "\nmetadata:\n  name: " + VM + "\n" + (key == null ? "" : key + ":\n" + body.indent(2));
  }

  static String specWithControllers(String... entries) {
    return vmWith("spec", "devices:\n  controllers:\n" + String.join("", entries));
  }

  static Kubectl.Result apply(Kubectl kubectl, String manager, String manifest) {
    return kubectl.runWithStdin(manifest, "apply", "--server-side", "--field-manager=" + manager, "-f", "-");
  }

  /** Server-side apply to the status subresource, as the operator writes status. */
  static Kubectl.Result applyStatus(Kubectl kubectl, String manager, String status) {
    return kubectl.runWithStdin(vmWith("status", status), "apply", "--server-side", "--subresource=status",
        "--field-manager=" + manager, "-f", "-");
  }

  static JsonNode vm(Kubectl kubectl) {
    try {
      return new ObjectMapper().readTree(
          kubectl.run("get", "vm", VM, "-o", "json", "--show-managed-fields").orThrow().stdout());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The map-list entries ({@code k:{...}}) that {@code manager} owns under the list at {@code fields}. */
  static List<String> ownedEntries(JsonNode vm, String manager, String... fields) {
    List<String> owned = new ArrayList<>();
    for (JsonNode entry : vm.at("/metadata/managedFields")) {
      if (manager.equals(entry.path("manager").asText())) {
        JsonNode node = entry.path("fieldsV1");
        for (String field : fields) {
          node = node.path("f:" + field);
        }
        node.fieldNames().forEachRemaining(name -> {
          if (name.startsWith("k:")) {
            owned.add(name);
          }
        });
      }
    }
    return owned;
  }

  static List<String> controllers(JsonNode vm) {
    List<String> controllers = new ArrayList<>();
    vm.at("/spec/devices/controllers").forEach(c ->
        controllers.add(c.path("type").asText() + "/" + c.path("index").asInt()));
    return controllers;
  }

  static List<String> conditionTypes(JsonNode vm) {
    List<String> types = new ArrayList<>();
    vm.at("/status/conditions").forEach(c -> types.add(c.path("type").asText()));
    return types;
  }

  @Test
  void twoManagersEachOwnTheirOwnControllers(ClusterNamespace ns) {
    Kubectl kubectl = ns.kubectl();
    apply(kubectl, MANAGER_A, CrdOnApiServerTest.seed()).orThrow();
    apply(kubectl, MANAGER_B, specWithControllers(ROOT_PORT_8)).orThrow();

    JsonNode both = vm(kubectl);
    assertThat(controllers(both)).containsExactlyInAnyOrder("pci/1", "pci/2", "pci/3", "pci/4", "pci/5", "pci/6",
        "pci/7", "virtio-serial/0", "pci/8");
    assertThat(ownedEntries(both, MANAGER_A, "spec", "devices", "controllers"))
        .hasSize(8).contains(ROOT_PORT_7_KEY).doesNotContain(ROOT_PORT_8_KEY);
    assertThat(ownedEntries(both, MANAGER_B, "spec", "devices", "controllers")).containsExactly(ROOT_PORT_8_KEY);

    // a applies its manifest again: no conflict, and b's root port stays.
    apply(kubectl, MANAGER_A, CrdOnApiServerTest.seed()).orThrow();
    assertThat(controllers(vm(kubectl))).contains("pci/7", "pci/8");

    // b applies without its root port: that entry goes, a's stay.
    apply(kubectl, MANAGER_B, vmWith(null, null)).orThrow();
    assertThat(controllers(vm(kubectl))).hasSize(8).contains("pci/7").doesNotContain("pci/8");
  }

  @Test
  void twoManagersEachOwnTheirOwnDisksByName(ClusterNamespace ns) {
    Kubectl kubectl = ns.kubectl();
    apply(kubectl, MANAGER_A, CrdOnApiServerTest.seed()).orThrow();
    apply(kubectl, MANAGER_B, vmWith("spec", "devices:\n  disks:\n" + DATA_DISK)).orThrow();

    JsonNode both = vm(kubectl);
    assertThat(names(both, "disks")).containsExactly("hda", "data");
    assertThat(ownedEntries(both, MANAGER_A, "spec", "devices", "disks")).containsExactly(SEED_DISK_KEY);
    assertThat(ownedEntries(both, MANAGER_A, "spec", "devices", "interfaces")).containsExactly(SEED_INTERFACE_KEY);
    assertThat(ownedEntries(both, MANAGER_B, "spec", "devices", "disks")).containsExactly(DATA_DISK_KEY);

    // a applies its manifest again: no conflict, and b's disk stays; b lets its disk go: a's stays.
    apply(kubectl, MANAGER_A, CrdOnApiServerTest.seed()).orThrow();
    assertThat(names(vm(kubectl), "disks")).containsExactly("hda", "data");
    apply(kubectl, MANAGER_B, vmWith(null, null)).orThrow();
    assertThat(names(vm(kubectl), "disks")).containsExactly("hda");
  }

  static List<String> names(JsonNode vm, String list) {
    List<String> names = new ArrayList<>();
    vm.at("/spec/devices/" + list).forEach(d -> names.add(d.path("name").asText()));
    return names;
  }

  @Test
  void statusConditionsMergeByType(ClusterNamespace ns) {
    Kubectl kubectl = ns.kubectl();
    apply(kubectl, MANAGER_A, CrdOnApiServerTest.seed()).orThrow();
    applyStatus(kubectl, "operator", """
        conditions:
        - type: Ready
          status: "False"
          reason: Starting
        """).orThrow();
    applyStatus(kubectl, "backup-controller", """
        conditions:
        - type: BackedUp
          status: "True"
          reason: Snapshot
        """).orThrow();

    JsonNode both = vm(kubectl);
    assertThat(conditionTypes(both)).containsExactly("Ready", "BackedUp");
    assertThat(ownedEntries(both, "operator", "status", "conditions")).containsExactly("k:{\"type\":\"Ready\"}");
    assertThat(ownedEntries(both, "backup-controller", "status", "conditions"))
        .containsExactly("k:{\"type\":\"BackedUp\"}");

    // The operator's next status changes its own condition only.
    applyStatus(kubectl, "operator", """
        conditions:
        - type: Ready
          status: "True"
          reason: Running
        """).orThrow();
    JsonNode after = vm(kubectl);
    assertThat(after.at("/status/conditions/0/status").asText()).isEqualTo("True");
    assertThat(conditionTypes(after)).containsExactly("Ready", "BackedUp");
  }

  @Test
  void twoEntriesWithTheSameKeysAreRefused(ClusterNamespace ns) {
    Kubectl kubectl = ns.kubectl();
    apply(kubectl, MANAGER_A, CrdOnApiServerTest.seed()).orThrow();

    Kubectl.Result twice = apply(kubectl, MANAGER_B, specWithControllers(ROOT_PORT_8, ROOT_PORT_8));
    assertThat(twice.exitCode()).isNotZero();
    assertThat(twice.stderr()).contains(".spec.devices.controllers: duplicate entries for key [index=8,type=\"pci\"]");
    Kubectl.Result twoDisks = apply(kubectl, MANAGER_B, vmWith("spec", "devices:\n  disks:\n" + DATA_DISK + DATA_DISK));
    assertThat(twoDisks.exitCode()).isNotZero();
    assertThat(twoDisks.stderr()).contains(".spec.devices.disks: duplicate entries for key [name=\"data\"]");

    Kubectl.Result untyped = applyStatus(kubectl, "operator", """
        conditions:
        - status: "True"
        """);
    assertThat(untyped.exitCode()).isNotZero();
    assertThat(untyped.stderr()).contains(".status.conditions: element 0: associative list with keys has an element"
        + " that omits all key fields [\"type\"]");
  }
}
