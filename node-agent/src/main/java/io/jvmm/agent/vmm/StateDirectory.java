package io.jvmm.agent.vmm;

import io.jvmm.agent.VmKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One VM's directory on the node, {@code <root>/<namespace>/<name>/}: everything a new agent
 * needs to find a VMM that an earlier agent started (pid file, QMP socket), the VMM's log, its
 * exit status (written by the launcher that outlives the agent) and the console's log.
 *
 * <p>The VMM's sockets are in a directory of its own, {@code vmm/}, which belongs to the VM's
 * user alone (mode 0700): the VMM cannot touch the agent's files beside it (pid, exit status,
 * logs, which the agent and the root launcher write), and no other VM's user can reach its
 * sockets. A UNIX socket path holds at most 107 bytes (sun_path); namespace and name may be 63
 * characters each, so when the state directory is too deep for a socket path the sockets go to
 * {@code <root>/.sockets/<hash of namespace/name>/}, a name a new agent computes the same way.
 */
public final class StateDirectory {
  /** sun_path is 108 bytes including the terminating NUL. */
  static final int MAX_SOCKET_PATH = 107;
  /**
   * jvmm binds its QMP socket under PATH.jvmm-PID and renames it into place (so that a client
   * never finds a socket that does not listen yet): leave it room for that suffix.
   */
  static final int VMM_STAGING_ROOM = 16;

  private final VmKey key;
  private final Path dir;
  private final Path socketDir;

  public StateDirectory(Path root, VmKey key) {
    this.key = key;
    this.dir = root.resolve(key.namespace()).resolve(key.name()).toAbsolutePath();
    Path longest = dir.resolve("vmm").resolve("console.sock");
    this.socketDir = longest.toString().getBytes(StandardCharsets.UTF_8).length + VMM_STAGING_ROOM <= MAX_SOCKET_PATH
        ? dir.resolve("vmm") : root.toAbsolutePath().resolve(".sockets").resolve(hash(key));
  }

  /** The VMs that have a state directory under root: what an agent restarting finds. */
  public static List<StateDirectory> existing(Path root) throws IOException {
    List<StateDirectory> found = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return found;
    }
    try (Stream<Path> namespaces = Files.list(root)) {
      for (Path ns : namespaces.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith("."))
          .sorted().toList()) {
        try (Stream<Path> names = Files.list(ns)) {
          for (Path name : names.filter(Files::isDirectory).sorted().toList()) {
            found.add(new StateDirectory(root, new VmKey(ns.getFileName().toString(), name.getFileName().toString())));
          }
        }
      }
    }
    return found;
  }

  public VmKey key() {
    return key;
  }

  public Path path() {
    return dir;
  }

  public Path pidFile() {
    return dir.resolve("vmm.pid");
  }

  public Path exitStatusFile() {
    return dir.resolve("exit-status");
  }

  public Path vmmLog() {
    return dir.resolve("vmm.log");
  }

  public Path consoleLog() {
    return dir.resolve("console.log");
  }

  public Path serialLog() {
    return dir.resolve("serial.log");
  }

  /** The VMM's own directory: its sockets, its working directory. */
  public Path vmmDirectory() {
    return socketDir;
  }

  public Path qmpSocket() {
    return socketDir.resolve("qmp.sock");
  }

  public Path consoleSocket() {
    return socketDir.resolve("console.sock");
  }

  public Path serialSocket() {
    return socketDir.resolve("serial.sock");
  }

  /** A small file of the agent's own (run-state override in standalone mode, say). */
  public Path file(String name) {
    return dir.resolve(name);
  }

  public void create() throws IOException {
    Files.createDirectories(dir);
    Files.createDirectories(socketDir);
  }

  public Optional<Long> readPid() {
    return readNumber(pidFile());
  }

  public Optional<Integer> readExitStatus() {
    return readNumber(exitStatusFile()).map(Long::intValue);
  }

  /** The last {@code maxLines} lines of the VMM's log, for status.agent.logTail. */
  public String vmmLogTail(int maxLines, int maxChars) {
    return tail(vmmLog(), maxLines, maxChars);
  }

  public static String tail(Path file, int maxLines, int maxChars) {
    try {
      if (!Files.isRegularFile(file)) {
        return "";
      }
      long size = Files.size(file);
      byte[] bytes;
      try (var channel = Files.newByteChannel(file)) {
        long from = Math.max(0, size - 64 * 1024);
        channel.position(from);
        var buffer = java.nio.ByteBuffer.allocate((int) (size - from));
        while (buffer.hasRemaining() && channel.read(buffer) > 0) {
          // read it all
        }
        bytes = buffer.array();
      }
      List<String> lines = new String(bytes, StandardCharsets.UTF_8).lines().toList();
      String joined = String.join("\n", lines.subList(Math.max(0, lines.size() - maxLines), lines.size()));
      return joined.length() <= maxChars ? joined : joined.substring(joined.length() - maxChars);
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e.getMessage() + ")";
    }
  }

  /** Writes a file so that a reader never sees half of it. */
  public static void writeAtomically(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, content);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Removes the directory and its socket directory: the VM is gone from this node. */
  public void delete() throws IOException {
    deleteTree(dir);
    if (!socketDir.equals(dir)) {
      deleteTree(socketDir);
    }
    Path ns = dir.getParent();
    try (Stream<Path> rest = Files.list(ns)) {
      if (rest.findAny().isEmpty()) {
        Files.deleteIfExists(ns);
      }
    } catch (IOException e) {
      // Another VM of the namespace appeared meanwhile, or the directory is already gone.
    }
  }

  private static void deleteTree(Path tree) throws IOException {
    if (!Files.exists(tree)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(tree)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static Optional<Long> readNumber(Path file) {
    try {
      String text = Files.readString(file).trim();
      return text.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(text));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String hash(VmKey key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest((key.namespace() + "/" + key.name()).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return dir.toString();
  }
}
