package io.jvmm.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * What the node agent last saw of the VM's VMM process, written by the agent alone (its own
 * server-side-apply field manager) under status.agent.  The operator reads it to build the
 * phase and conditions; nothing else writes here.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"nodeName", "state", "qmpStatus", "pid", "restarts", "exitCode", "message", "logTail",
    "startedAt", "observedGeneration", "restartRequiredBy", "consoleEndpoint", "consoleCertSha256"})
public class AgentStatus {

  @JsonPropertyDescription("The node whose agent wrote this")
  public String nodeName;

  @JsonPropertyDescription("The VMM process: Starting, Running, Paused, Stopped (exited as asked or the guest powered"
      + " off), Failed (exited abnormally), Absent (no process and nothing left on the node) or Unknown (the process"
      + " lives but does not answer QMP: stopped or hung; left as it is, not killed or started again)")
  public VmmState state;

  @JsonPropertyDescription("The guest's status as QMP query-status reports it (running, paused, shutdown...)")
  public String qmpStatus;

  @JsonPropertyDescription("The VMM's process id on the node")
  public Long pid;

  @JsonPropertyDescription("How often the agent started the VMM again after it ended")
  public Integer restarts;

  @JsonPropertyDescription("The VMM's exit status when it ended (128+N for signal N)")
  public Integer exitCode;

  @JsonPropertyDescription("Why the VMM is in this state, for people")
  public String message;

  @JsonPropertyDescription("The last lines the VMM wrote to its log, when it failed")
  public String logTail;

  @JsonPropertyDescription("When the current VMM process started (RFC 3339)")
  public String startedAt;

  @JsonPropertyDescription("The metadata.generation of the spec the agent acted on")
  public Long observedGeneration;

  @JsonPropertyDescription("Spec fields that changed since the running VMM started and that only a new VMM applies"
      + " (kubectl vm restart, or spec.updatePolicy Restart); absent when it runs as its spec asks")
  public java.util.List<String> restartRequiredBy;

  @JsonPropertyDescription("Where the node agent serves this VM's console, HOST:PORT: jvmm's console API relays"
      + " virtualmachines/console (subresources.jvmm.io) there over mutual TLS; users never connect to it")
  public String consoleEndpoint;

  @JsonPropertyDescription("The SHA-256 of the console endpoint's TLS certificate, hex, which the console API pins")
  public String consoleCertSha256;

  public enum VmmState {
    @JsonProperty("Starting") STARTING,
    @JsonProperty("Running") RUNNING,
    @JsonProperty("Paused") PAUSED,
    @JsonProperty("Stopped") STOPPED,
    @JsonProperty("Failed") FAILED,
    @JsonProperty("Absent") ABSENT,
    @JsonProperty("Unknown") UNKNOWN
  }
}
