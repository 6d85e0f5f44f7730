package io.jvmm.agent.vmm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Gives each VM on the node a user id of its own, from a range no account uses, kept in its
 * state directory ({@code vmm-uid}) so that the VM keeps it across restarts of the VMM and of
 * the agent, and freed with the directory. One user per VM, not one jvmm user for all (as
 * KubeVirt's qemu 107): a VMM taken over through a device bug then reaches its own disk and
 * sockets, not another VM's.
 */
public final class VmmUserAllocator {
  /** Above any account and any usual subuid range, below 2^31 (Java ints, setpriv, ls). */
  public static final int DEFAULT_FIRST = 2_100_000_000;
  public static final int DEFAULT_COUNT = 65_536;
  static final String FILE = "vmm-uid";

  private final Path stateRoot;
  private final int first;
  private final int count;

  public VmmUserAllocator(Path stateRoot, int first, int count) {
    this.stateRoot = stateRoot;
    this.first = first;
    this.count = count;
  }

  /** The VM's user id: the one it had, else the lowest one no other VM of this node holds. */
  public int assign(StateDirectory state) throws IOException {
    Optional<Integer> held = read(state);
    if (held.isPresent()) {
      return held.get();
    }
    Set<Integer> taken = new HashSet<>();
    for (StateDirectory other : StateDirectory.existing(stateRoot)) {
      if (!other.key().equals(state.key())) {
        read(other).ifPresent(taken::add);
      }
    }
    for (int uid = first; uid < first + count; uid++) {
      if (!taken.contains(uid)) {
        state.create();
        StateDirectory.writeAtomically(state.file(FILE), uid + "\n");
        return uid;
      }
    }
    throw new IOException("all " + count + " VMM user ids from " + first + " are taken on this node");
  }

  private Optional<Integer> read(StateDirectory state) {
    try {
      int uid = Integer.parseInt(Files.readString(state.file(FILE)).trim());
      return uid >= first && uid < first + count ? Optional.of(uid) : Optional.empty();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }
}
