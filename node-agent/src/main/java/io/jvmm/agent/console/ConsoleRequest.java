package io.jvmm.agent.console;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The first line a console client sends, as JSON: which VM, whether it wants to type, and (from
 * the console API to the agent's network endpoint) which user it serves, for the agent's log.
 * The agent answers with one JSON line ({@link ConsoleReply}); after an ok the connection
 * carries the console's bytes both ways.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class ConsoleRequest {
  public String op = "console";
  public String namespace;
  public String name;
  /** Ask to be the one writer; granted when nobody writes yet. */
  public boolean write = true;
  /** The legacy serial port instead of the VM's console (they differ when it has hvc0). */
  public boolean serial;
  /** The Kubernetes user the console API authorized: for the agent's log, not a credential. */
  public String user;

  public ConsoleRequest() {
  }

  public ConsoleRequest(String namespace, String name, boolean write, String user) {
    this.namespace = namespace;
    this.name = name;
    this.write = write;
    this.user = user;
  }
}
