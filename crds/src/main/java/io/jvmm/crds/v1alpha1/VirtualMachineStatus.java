package io.jvmm.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.kubernetes.api.model.Condition;
import io.jvmm.crds.generator.ListTypeMap;
import java.util.List;

/**
 * What the operator and node agent observed. Conditions are the record (API conventions);
 * phase is derived from them for kubectl's State column and is never the source of truth.
 */
@JsonClassDescription("What the operator and the node agent observed: the conditions are the record, phase a"
    + " summary of them for kubectl, agent the node agent's own report")
@JsonInclude(JsonInclude.Include.NON_NULL)
// Conditions merge by type under server-side apply, as metav1.Condition lists do
// (+listType=map, +listMapKey=type), so that each writer owns its own condition types.
@SchemaCustomizer(value = ListTypeMap.class, input = "conditions: type")
@JsonPropertyOrder({"phase", "nodeName", "qmpStatus", "observedGeneration", "conditions", "agent"})
public class VirtualMachineStatus {
  /**
   * Condition type: the guest runs as spec.runState asks (True), or why not yet (reason,
   * message). Absent where no running guest is asked for and none runs (settled Paused or
   * Stopped): kstatus would read a False one as work in progress.
   */
  public static final String CONDITION_READY = "Ready";
  /** Condition type: a node was chosen and recorded in status.nodeName. */
  public static final String CONDITION_SCHEDULED = "Scheduled";
  /** Condition type: the guest's vCPUs are stopped (virsh suspend). */
  public static final String CONDITION_PAUSED = "Paused";
  /**
   * Condition type: the running VMM was started from an earlier spec, and fields that only a new
   * VMM applies changed since (the message names them); kubectl vm restart applies them.
   */
  public static final String CONDITION_RESTART_REQUIRED = "RestartRequired";
  /** Condition type: the VM failed and will not recover by itself; reason says why. */
  public static final String CONDITION_FAILURE = "Failure";

  @JsonPropertyDescription("Summary of the conditions for kubectl's State column: Pending, Scheduled, Starting,"
      + " Running, Paused, Stopping, Stopped, Failed, or Unknown (the VMM lives but does not answer QMP)")
  public Phase phase;

  @JsonPropertyDescription("Node the VM runs on, set once scheduled")
  public String nodeName;

  @JsonPropertyDescription("The guest's run state as QMP query-status reports it (running, paused, shutdown...)")
  public String qmpStatus;

  @JsonPropertyDescription("The metadata.generation the status describes")
  public Long observedGeneration;

  @JsonPropertyDescription("The VM's conditions in metav1.Condition form, one per type (the list's key): Ready,"
      + " Scheduled, Paused, RestartRequired, Failure, Reconciling, Stalled")
  @SchemaFrom(type = ConditionSchema[].class)
  public List<Condition> conditions;

  @JsonPropertyDescription("What the node agent last saw of the VMM process; written by the agent only")
  public AgentStatus agent;

  public enum Phase {
    @JsonProperty("Pending") PENDING,
    @JsonProperty("Scheduled") SCHEDULED,
    @JsonProperty("Starting") STARTING,
    @JsonProperty("Running") RUNNING,
    @JsonProperty("Paused") PAUSED,
    @JsonProperty("Stopping") STOPPING,
    @JsonProperty("Stopped") STOPPED,
    @JsonProperty("Failed") FAILED,
    /** The VMM lives but does not answer: what runs is not known. */
    @JsonProperty("Unknown") UNKNOWN
  }
}
