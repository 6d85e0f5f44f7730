package io.jvmm.domain;

import io.jvmm.crds.v1alpha1.RebootPolicy;
import io.jvmm.crds.v1alpha1.RestartPolicy;

/**
 * libvirt's lifecycle actions ({@code on_poweroff}, {@code on_reboot}, {@code on_crash}; each
 * destroy or restart) and the manifest's policies, both ways. A power-off and a crash are what
 * spec.restartPolicy tells apart (a clean end or not), so the pair maps onto it: restart/restart
 * is Always, destroy/restart OnFailure, destroy/destroy Never; restart after a power-off but not
 * after a crash has no policy and is refused. on_reboot maps onto spec.rebootPolicy. Absent
 * elements take libvirt's defaults (destroy, restart, destroy): a domain with none is Never.
 * Exported, an action equal to libvirt's default is left out, as libvirt writes the others.
 */
final class LifecycleActions {
  static final String DESTROY = "destroy", RESTART = "restart";

  private LifecycleActions() {
  }

  record Policies(RestartPolicy restart, RebootPolicy reboot) {
  }

  /** The manifest's policies for the domain's actions; null and a problem for what cannot map. */
  static Policies fromDomain(String onPoweroff, String onReboot, String onCrash, ProblemList problems) {
    boolean poweroffRestarts = restarts(onPoweroff, DESTROY, "/domain/on_poweroff", problems);
    boolean rebootRestarts = restarts(onReboot, RESTART, "/domain/on_reboot", problems);
    boolean crashRestarts = restarts(onCrash, DESTROY, "/domain/on_crash", problems);
    RestartPolicy restart;
    if (poweroffRestarts && !crashRestarts) {
      problems.add("/domain/on_crash", "'destroy' with on_poweroff 'restart' is not supported: a VM restarted after a"
          + " power-off is restarted after a crash too; write <on_crash>restart</on_crash>");
      restart = null;
    } else {
      restart = poweroffRestarts ? RestartPolicy.ALWAYS : crashRestarts ? RestartPolicy.ON_FAILURE : RestartPolicy.NEVER;
    }
    return new Policies(restart, rebootRestarts ? null : RebootPolicy.STOP);
  }

  private static boolean restarts(String action, String absent, String path, ProblemList problems) {
    String a = action == null ? absent : action;
    if (!a.equals(DESTROY) && !a.equals(RESTART)) {
      problems.add(path, "'" + a + "' is not supported; write destroy or restart");
      return false;
    }
    return a.equals(RESTART);
  }

  /** on_poweroff for a restart policy (absent: the manifest's default, Always); null for libvirt's default. */
  static String onPoweroff(RestartPolicy restart) {
    return restart == null || restart == RestartPolicy.ALWAYS ? RESTART : null;
  }

  /** on_crash for a restart policy; null for libvirt's default, destroy. */
  static String onCrash(RestartPolicy restart) {
    return restart == RestartPolicy.NEVER ? null : RESTART;
  }

  /** on_reboot for a reboot policy; null for libvirt's default, restart. */
  static String onReboot(RebootPolicy reboot) {
    return reboot == RebootPolicy.STOP ? DESTROY : null;
  }
}
