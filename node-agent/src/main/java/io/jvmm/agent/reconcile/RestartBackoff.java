package io.jvmm.agent.reconcile;

import java.time.Duration;

/**
 * How long to wait before starting a VMM that ended again: doubling from {@code initial} up
 * to {@code max}, as the kubelet does for a crashing container, so that a VM whose VMM cannot
 * start does not spin the node. A VMM that ran for {@code stableAfter} counts as healthy again.
 */
public record RestartBackoff(Duration initial, Duration max, Duration stableAfter) {
  public static final RestartBackoff DEFAULT =
      new RestartBackoff(Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofMinutes(10));

  public Duration delayAfter(int recentFailures) {
    Duration d = initial;
    for (int i = 0; i < recentFailures && d.compareTo(max) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(max) > 0 ? max : d;
  }
}
