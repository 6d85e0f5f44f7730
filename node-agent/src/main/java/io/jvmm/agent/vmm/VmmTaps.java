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
 * refuses the VM with the reason, unless the node lets the agent make bridges ({@code
 * makeBridges}, the agent's --make-bridges): it then makes the bridge, up, without an address.
 * The taps and bridges made are listed in the state directory ({@code taps}, {@code bridges});
 * when the VM leaves the node its taps are deleted, and so is each bridge made for it that no
 * other device is on.
 */
public final class VmmTaps {
  static final String FILE = "taps";
  static final String BRIDGES_FILE = "bridges";
  private final Path sysClassNet;
  private final boolean makeBridges;

  public VmmTaps(Path sysClassNet, boolean makeBridges) {
    this.sysClassNet = sysClassNet;
    this.makeBridges = makeBridges;
  }

  public VmmTaps(Path sysClassNet) {
    this(sysClassNet, false);
  }

  public static VmmTaps forHost(boolean makeBridges) {
    return new VmmTaps(Path.of("/sys/class/net"), makeBridges);
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
      if (bridge != null && !isBridge(bridge) && (!makeBridges || Files.exists(sysClassNet.resolve(bridge)))) {
        problems.add(new Problem(field + ".source.bridge", "there is no bridge '" + bridge + "' on this node; create it"
            + " (ip link add " + bridge + " type bridge), leave source.bridge out, or run the agent with --make-bridges"));
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
    Set<String> bridges = new LinkedHashSet<>(recorded(state, BRIDGES_FILE));
    for (NetworkInterface n : interfaces) {
      String bridge = n.source == null ? null : n.source.bridge;
      if (bridge != null && !isBridge(bridge)) {
        modprobeBridge();
        ip("link", "add", bridge, "type", "bridge");
        bridges.add(bridge);
        StateDirectory.writeAtomically(state.file(BRIDGES_FILE), String.join("\n", bridges) + "\n");
        ip("link", "set", "dev", bridge, "up");
      }
    }
    Set<String> made = new LinkedHashSet<>(recorded(state, FILE));
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

  /** Deletes the taps this agent made for the VM, then the bridges it made for it that nothing else is on. */
  public void remove(StateDirectory state) throws IOException {
    for (String tap : recorded(state, FILE)) {
      if (Files.exists(sysClassNet.resolve(tap))) {
        ip("link", "del", "dev", tap);
      }
    }
    Files.deleteIfExists(state.file(FILE));
    for (String bridge : recorded(state, BRIDGES_FILE)) {
      Path ports = sysClassNet.resolve(bridge).resolve("brif");
      boolean unused;
      try (var on = Files.list(ports)) {
        unused = on.findAny().isEmpty();
      } catch (IOException gone) {
        continue;
      }
      if (unused) {
        ip("link", "del", "dev", bridge);
      }
    }
    Files.deleteIfExists(state.file(BRIDGES_FILE));
  }

  private boolean isBridge(String name) {
    return Files.isDirectory(sysClassNet.resolve(name).resolve("bridge"));
  }

  /** A kernel that loads no module for ip(8) by itself (the sandbox's) needs the bridge driver loaded first. */
  private static void modprobeBridge() {
    try {
      new ProcessBuilder("modprobe", "bridge").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start().waitFor(30, TimeUnit.SECONDS);
    } catch (IOException e) {
      // no modprobe: ip(8) says what is missing
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static List<String> recorded(StateDirectory state, String name) throws IOException {
    Path file = state.file(name);
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
