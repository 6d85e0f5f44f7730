package io.jvmm.agent.vmm;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How a VMM is set apart from the agent so that it outlives it.
 *
 * <p>A session of its own (setsid) is enough where the agent is a plain process: its death,
 * its process group's signals and its closed pipes do not reach the VMM. It is not enough in a
 * container: the runtime ends a container by killing every process in its cgroup, VMMs
 * included, so a DaemonSet pod's restart would take every guest down. A transient systemd scope
 * (systemd-run --scope) moves the VMM into a cgroup of its own under the host's systemd, which
 * the container's end does not touch, as KubeVirt's virt-handler and libvirt's machined scopes
 * keep guests apart from the daemon that started them.
 */
public enum VmmDetachment {
  /** setsid: a session of its own. */
  SESSION,
  /** systemd-run --scope, then setsid: a cgroup and a session of its own. */
  SYSTEMD_SCOPE;

  /**
   * Whether systemd runs this host and systemd-run can reach it: sd_booted(3)'s test
   * (/run/systemd/system exists; in a pod, the host's /run/systemd mounted) and systemd-run on
   * PATH.
   */
  public static boolean systemdAvailable() {
    if (!Files.isDirectory(Path.of("/run/systemd/system"))) {
      return false;
    }
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "systemd-run"))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The scope's unit name: jvmm-NAMESPACE-NAME-SUFFIX, with what systemd does not take in a
   * unit name as '_'. The suffix (the launch time) keeps a restarted VMM's scope apart from
   * its predecessor's should that one linger.
   */
  public static String unitName(String namespace, String name, long launchMillis) {
    return ("jvmm-" + namespace + "-" + name + "-" + Long.toString(launchMillis, 36))
        .replaceAll("[^A-Za-z0-9:_.-]", "_");
  }
}
