package io.jvmm.agent.vmm;

import io.jvmm.crds.v1alpha1.NetworkInterface;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.domain.InvalidVirtualMachineException;
import io.jvmm.domain.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The tap devices of a VM's interfaces, made by the agent before the VMM starts, as libvirt
 * makes them for QEMU: persistent, owned by the VM's user (so that the unprivileged VMM attaches
 * with TUNSETIFF and needs no CAP_NET_ADMIN), up, with the guest's MAC but a first octet of 0xFE
 * (a bridge never takes the tap's address for its own), and on the interface's source bridge
 * when it names one. A missing bridge, or a device of that name that is not this VM's tap,
 * refuses the VM with the reason. The taps made are listed in the state directory ({@code taps})
 * and deleted when the VM leaves the node.
 */
public final class VmmTaps {
  static final String FILE = "taps";
  private final Path sysClassNet;

  public VmmTaps(Path sysClassNet) {
    this.sysClassNet = sysClassNet;
  }

  public static VmmTaps forHost() {
    return new VmmTaps(Path.of("/sys/class/net"));
  }

  /** Makes (or takes up again) the VM's taps for {@code uid}; refuses the VM when one cannot be its own. */
  public void create(StateDirectory state, VirtualMachine vm, int uid, int gid)
      throws IOException, InvalidVirtualMachineException {
    List<NetworkInterface> interfaces = vm.getSpec().devices == null || vm.getSpec().devices.interfaces == null
        ? List.of() : vm.getSpec().devices.interfaces;
    List<Problem> problems = new ArrayList<>();
    for (int i = 0; i < interfaces.size(); i++) {
      NetworkInterface n = interfaces.get(i);
      String field = "spec.devices.interfaces[" + i + "]";
      String bridge = n.source == null ? null : n.source.bridge;
      if (bridge != null && !Files.isDirectory(sysClassNet.resolve(bridge).resolve("bridge"))) {
        problems.add(new Problem(field + ".source.bridge", "there is no bridge '" + bridge + "' on this node; create it"
            + " (ip link add " + bridge + " type bridge) or leave source.bridge out"));
      }
      Path dev = sysClassNet.resolve(n.target.dev);
      if (Files.exists(dev)) {
        if (!Files.exists(dev.resolve("tun_flags"))) {
          problems.add(new Problem(field + ".target.dev", "'" + n.target.dev + "' is a network device of this node"
              + " that is not a tap; name another"));
        } else if (owner(dev) != uid) {
          problems.add(new Problem(field + ".target.dev", "the tap '" + n.target.dev + "' belongs to user " + owner(dev)
              + ", not this VM's (" + uid + "): another VM or program uses it; name another"));
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidVirtualMachineException(problems);
    }
    Set<String> made = new LinkedHashSet<>(recorded(state));
    for (NetworkInterface n : interfaces) {
      String tap = n.target.dev;
      if (!Files.exists(sysClassNet.resolve(tap))) {
        ip("tuntap", "add", "dev", tap, "mode", "tap", "user", Integer.toString(uid), "group", Integer.toString(gid),
            "vnet_hdr");
        made.add(tap);
        StateDirectory.writeAtomically(state.file(FILE), String.join("\n", made) + "\n");
      }
      if (n.mac != null) {
        ip("link", "set", "dev", tap, "address", "fe" + n.mac.address.substring(2));
      }
      if (n.source != null && n.source.bridge != null) {
        ip("link", "set", "dev", tap, "master", n.source.bridge);
      }
      ip("link", "set", "dev", tap, "up");
    }
  }

  /** Deletes the taps this agent made for the VM. */
  public void remove(StateDirectory state) throws IOException {
    for (String tap : recorded(state)) {
      if (Files.exists(sysClassNet.resolve(tap))) {
        ip("link", "del", "dev", tap);
      }
    }
    Files.deleteIfExists(state.file(FILE));
  }

  private static List<String> recorded(StateDirectory state) throws IOException {
    Path file = state.file(FILE);
    return Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList() : List.of();
  }

  private static long owner(Path dev) throws IOException {
    return Long.parseLong(Files.readString(dev.resolve("owner")).trim());
  }

  private static void ip(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out;
    try {
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish in 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + String.join(" ", command), e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
  }
}
