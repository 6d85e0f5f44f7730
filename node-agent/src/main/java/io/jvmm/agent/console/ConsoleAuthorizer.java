package io.jvmm.agent.console;

/** Decides whether a console client may attach to a VM's console. */
public interface ConsoleAuthorizer {
  /** Null when allowed, else why not (said to the client). */
  String refusal(ConsoleRequest request);

  /** For the local UNIX socket, whose file permissions already decide who connects. */
  ConsoleAuthorizer LOCAL = request -> null;
}
