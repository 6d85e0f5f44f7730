package io.jvmm.agent.standalone;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.jvmm.agent.console.ConsoleReply;
import java.util.List;
import java.util.Map;

/** The standalone agent's answer line: ok or error, and for list the VMs. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class ControlReply extends ConsoleReply {
  public String name;
  public List<VmLine> vms;
  /** Files in the VM directory that define no usable VM, with why. */
  public Map<String, String> problems;

  /** One row of virsh list. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static class VmLine {
    public String name;
    public String state;
    public String qmpStatus;
    public Long pid;
    public Integer restarts;
    public Integer exitCode;
    public String message;
    public String file;
  }

  static ControlReply error(String why) {
    ControlReply r = new ControlReply();
    r.error = why;
    return r;
  }

  static ControlReply ok() {
    ControlReply r = new ControlReply();
    r.ok = true;
    return r;
  }
}
