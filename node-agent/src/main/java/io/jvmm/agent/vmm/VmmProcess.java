package io.jvmm.agent.vmm;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * A running VMM, started by this agent or adopted from an earlier one.
 *
 * @param pid       the VMM's process id (not the launcher's)
 * @param startedAt when the process started, as the kernel reports it
 * @param adopted   found running from the state directory rather than started now
 * @param exit      completes with the exit status (128+N for signal N) once the VMM ends,
 *                  with null when nobody recorded it (the launcher was killed too)
 */
public record VmmProcess(long pid, Instant startedAt, boolean adopted, CompletableFuture<Integer> exit) {
  public boolean isAlive() {
    return !exit.isDone();
  }
}
