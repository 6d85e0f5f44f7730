package io.jvmm.agent.console;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/** The agent's answer line to a {@link ConsoleRequest}: ok, or the reason it was refused. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class ConsoleReply {
  public boolean ok;
  /** Whether this client's keystrokes reach the guest (false: another client writes). */
  public Boolean writer;
  public String error;
  /**
   * From the console API: the error is passing (the node agent cannot be reached now), so a
   * client that reconnects tries again.
   */
  public Boolean unavailable;

  public static ConsoleReply refused(String why) {
    ConsoleReply r = new ConsoleReply();
    r.error = why;
    return r;
  }

  public static ConsoleReply attached(boolean writer) {
    ConsoleReply r = new ConsoleReply();
    r.ok = true;
    r.writer = writer;
    return r;
  }
}
