package io.jvmm.agent.vmm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Who a VMM runs as: a user and group of its own (no name needed; nothing in /etc/passwd), plus
 * the groups that open the node's KVM and vhost devices. The command that drops to it is
 * setpriv(1): no capabilities (inheritable and bounding sets emptied, so nothing regains one),
 * no_new_privs, and an environment cleared down to what the launcher needs.
 */
public record VmmUser(int uid, int gid, List<Integer> groups) {
  /** What the VMM's environment keeps of the agent's: the search path and jvmm's own settings. */
  static final List<String> KEPT_ENVIRONMENT = List.of("PATH", "JVMM_JAVA", "JVMM_JAVA_OPTS", "JVMM_TIMING",
      "JVMM_TRACE_EXITS", "JVMM_SECCOMP_LOG");

  /** The argv that runs the rest as this user, with {@code home} as HOME. */
  public List<String> dropPrivileges(Map<String, String> agentEnvironment, String home) {
    List<Integer> all = new ArrayList<>(groups);
    all.remove(Integer.valueOf(gid));
    all.add(0, gid);
    List<String> argv = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid,
        "--groups=" + all.stream().map(String::valueOf).collect(Collectors.joining(",")),
        "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--", "env", "-i", "HOME=" + home));
    for (String name : KEPT_ENVIRONMENT) {
      String value = agentEnvironment.get(name);
      if (value != null) {
        argv.add(name + "=" + value);
      }
    }
    return argv;
  }
}
