package io.jvmm.crds.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.jvmm.cluster.ClusterNamespace;
import io.jvmm.cluster.KubeClusterTest;
import io.jvmm.cluster.Kubectl;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What kubectl shows of a VM on a real kube-apiserver with the checked-in CRD: {@code kubectl
 * explain} prints each field's description and its fields' ones, and {@code kubectl get vm}
 * shows the columns users look for, with more under {@code -o wide}.
 */
@KubeClusterTest
class KubectlExplainAndColumnsTest {
  /** The API server publishes a new CRD's OpenAPI, which explain reads, a moment after it takes the CRD. */
  private static final Duration OPENAPI_PUBLISHED = Duration.ofSeconds(60);

  static JsonNode schema;

  @BeforeAll
  static void readTheCheckedInCrd() throws IOException {
    schema = new ObjectMapper(new YAMLFactory()).readTree(CrdDriftTest.checkedIn().toFile())
        .at("/spec/versions/0/schema/openAPIV3Schema");
  }

  /** The schema kubectl explain shows for {@code path} (resource.field.field...), lists by their items. */
  static JsonNode schemaAt(String path) {
    JsonNode node = schema;
    for (String field : path.split("\\.")) {
      if (field.equals("virtualmachines")) {
        continue;
      }
      node = (node.has("items") ? node.path("items") : node).at("/properties/" + field);
    }
    assertThat(node.isMissingNode()).as("%s in the CRD", path).isFalse();
    return node;
  }

  /** kubectl wraps descriptions to the terminal: compare text with its whitespace collapsed. */
  static String collapsed(String text) {
    return text.replaceAll("\\s+", " ").strip();
  }

  private static String described(String path, JsonNode field) {
    String description = collapsed(field.path("description").asText());
    assertThat(description).as("description of %s in the CRD", path).isNotBlank();
    return description;
  }

  static String explain(Kubectl kubectl, String path) {
    Instant deadline = Instant.now().plus(OPENAPI_PUBLISHED);
    while (true) {
      Kubectl.Result r = kubectl.run("explain", path);
      if (r.succeeded() || Instant.now().isAfter(deadline)) {
        return r.orThrow().stdout();
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"virtualmachines", "virtualmachines.spec", "virtualmachines.status",
      "virtualmachines.spec.devices", "virtualmachines.spec.devices.controllers.index",
      "virtualmachines.spec.devices.disks.iotune", "virtualmachines.spec.os.loader",
      "virtualmachines.status.conditions", "virtualmachines.status.agent"})
  void kubectlExplainPrintsTheDescriptionOfTheFieldAndOfItsFields(String path, ClusterNamespace ns) {
    JsonNode field = schemaAt(path);

    String shown = collapsed(explain(ns.kubectl(), path));

    assertThat(shown).contains("DESCRIPTION: " + described(path, field));
    JsonNode fields = (field.has("items") ? field.path("items") : field).path("properties");
    fields.fields().forEachRemaining(f -> assertThat(shown)
        .contains(f.getKey() + " <").contains(described(path + "." + f.getKey(), f.getValue())));
    // What kubectl prints for a field without a description, and for its fields.
    assertThat(shown).doesNotContain("<empty>", "<no description>");
  }

  /** Column name to value in the one VM's row of a kubectl get table whose cells are all set. */
  static Map<String, String> row(String table) {
    List<String> lines = table.lines().toList();
    assertThat(lines).as(table).hasSize(2);
    List<String> names = Arrays.asList(lines.get(0).trim().split("\\s+"));
    List<String> values = Arrays.asList(lines.get(1).trim().split("\\s+"));
    assertThat(values).as(table).hasSameSizeAs(names);
    Map<String, String> row = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      row.put(names.get(i), values.get(i));
    }
    return row;
  }

  @Test
  void kubectlGetShowsReadyStateNodeSizeAndAgeAndWideShowsMore(ClusterNamespace ns) {
    Kubectl kubectl = ns.kubectl();
    ServerSideApplyOwnershipTest.apply(kubectl, "user", CrdOnApiServerTest.seed()).orThrow();
    ServerSideApplyOwnershipTest.applyStatus(kubectl, "operator", """
        phase: Running
        nodeName: node-1
        qmpStatus: running
        conditions:
        - type: Ready
          status: "True"
          reason: Running
        """).orThrow();

    Map<String, String> row = row(kubectl.run("get", "vm", ServerSideApplyOwnershipTest.VM).orThrow().stdout());
    assertThat(row.keySet()).containsExactlyInAnyOrder("NAME", "READY", "STATE", "NODE", "VCPUS", "MEMORY", "AGE");
    assertThat(row).containsEntry("READY", "True").containsEntry("STATE", "Running")
        .containsEntry("NODE", "node-1").containsEntry("VCPUS", "4").containsEntry("MEMORY", "8GiB");
    assertThat(row.get("AGE")).matches("\\d+s");

    Map<String, String> wide = row(kubectl.run("get", "vm", ServerSideApplyOwnershipTest.VM, "-o", "wide")
        .orThrow().stdout());
    assertThat(wide).containsAllEntriesOf(Map.of("READY", "True", "STATE", "Running", "NODE", "node-1"))
        .containsEntry("REASON", "Running").containsEntry("RUNSTATE", "Running")
        .containsEntry("QMP", "running").containsEntry("CID", "3");
  }
}
