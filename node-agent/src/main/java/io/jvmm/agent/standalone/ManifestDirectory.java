package io.jvmm.agent.standalone;

import io.jvmm.agent.VmKey;
import io.jvmm.agent.VmSource;
import io.jvmm.agent.vmm.StateDirectory;
import io.jvmm.crds.v1alpha1.RunState;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.domain.DomainXmlExporter;
import io.jvmm.domain.DomainXmlImporter;
import io.jvmm.domain.InvalidVirtualMachineException;
import io.jvmm.domain.ManifestYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone agent's VMs: one per file in a directory, VirtualMachine manifests (.yaml,
 * .yml, .json) or libvirt domain XML (.xml). Adding a file defines and starts a VM, removing
 * it destroys the VM (virsh create and destroy of a transient domain). Suspend and resume set a
 * run state that overrides the file's spec.runState and is kept in the VM's state directory, so
 * that it survives an agent restart; a changed file clears it.
 */
public final class ManifestDirectory implements VmSource {
  private static final Logger log = LoggerFactory.getLogger(ManifestDirectory.class);
  static final String RUN_STATE_FILE = "run-state";
  static final String TRANSIENT_FILE = "transient";
  /** VMs defined by files have no namespace; they live in this one. */
  public static final String NAMESPACE = "default";

  private final Path directory;
  private final Path stateRoot;
  private final Map<VmKey, Entry> vms = new ConcurrentHashMap<>();
  private final Map<Path, String> problems = new ConcurrentHashMap<>();
  /** Each VM's spec generation: one more for every change of its file or run state. */
  private final Map<VmKey, Long> generations = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scanner = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "manifest-scan");
    t.setDaemon(true);
    return t;
  });
  private Consumer<VmKey> changed = k -> { };

  private record Entry(Path file, String digest, VirtualMachine vm) {
  }

  public ManifestDirectory(Path directory, Path stateRoot) {
    this.directory = directory;
    this.stateRoot = stateRoot;
  }

  public Path directory() {
    return directory;
  }

  @Override
  public void start(Consumer<VmKey> changed) throws IOException {
    Files.createDirectories(directory);
    this.changed = changed;
    scan();
    scanner.scheduleWithFixedDelay(this::scanQuietly, 1, 1, TimeUnit.SECONDS);
  }

  private void scanQuietly() {
    try {
      scan();
    } catch (RuntimeException | IOException e) {
      log.warn("cannot read {}: {}", directory, e.getMessage());
    }
  }

  /** Reads the directory again now; returns the files that could not be used, with why. */
  public synchronized Map<Path, String> scan() throws IOException {
    Map<VmKey, Entry> seen = new LinkedHashMap<>();
    List<Path> files;
    try (Stream<Path> list = Files.list(directory)) {
      files = list.filter(ManifestDirectory::isVmFile).sorted().toList();
    }
    problems.keySet().retainAll(files);
    for (Path file : files) {
      byte[] content;
      try {
        content = Files.readAllBytes(file);
      } catch (IOException e) {
        continue;
      }
      String digest = digest(content);
      Entry old = vms.values().stream().filter(e -> e.file.equals(file)).findFirst().orElse(null);
      if (old != null && old.digest.equals(digest)) {
        seen.put(VmKey.of(old.vm), old);
        continue;
      }
      VirtualMachine vm;
      try {
        vm = parse(file, content);
      } catch (InvalidVirtualMachineException e) {
        if (!e.getMessage().equals(problems.put(file, e.getMessage()))) {
          log.warn("{} is not a VM this agent can run:\n{}", file, e.getMessage());
        }
        continue;
      }
      vm.getMetadata().setNamespace(NAMESPACE);
      VmKey key = VmKey.of(vm);
      if (seen.containsKey(key)) {
        problems.put(file, "VM " + key.name() + " is already defined by " + seen.get(key).file);
        continue;
      }
      problems.remove(file);
      Entry previous = vms.get(key);
      if (previous != null && !previous.digest.equals(digest)) {
        clearRunState(key);
      }
      generations.merge(key, 1L, Long::sum);
      seen.put(key, new Entry(file, digest, vm));
    }
    Map<VmKey, Entry> before = Map.copyOf(vms);
    vms.keySet().retainAll(seen.keySet());
    vms.putAll(seen);
    for (VmKey key : seen.keySet()) {
      if (before.get(key) == null || !before.get(key).digest.equals(seen.get(key).digest)) {
        changed.accept(key);
      }
    }
    for (VmKey key : before.keySet()) {
      if (!seen.containsKey(key)) {
        changed.accept(key);
      }
    }
    return new TreeMap<>(problems);
  }

  static boolean isVmFile(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return Files.isRegularFile(p) && !n.startsWith(".")
        && (n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json") || n.endsWith(".xml"));
  }

  /** A manifest or domain XML, judged by its first non-blank character. */
  public static VirtualMachine parse(Path file, byte[] content) throws InvalidVirtualMachineException {
    String text = new String(content, java.nio.charset.StandardCharsets.UTF_8).stripLeading();
    if (text.startsWith("<")) {
      return DomainXmlImporter.importXml(content, false).vm();
    }
    return ManifestYaml.read(content);
  }

  @Override
  public Optional<VirtualMachine> get(VmKey key) {
    Entry e = vms.get(key);
    if (e == null) {
      return Optional.empty();
    }
    // A copy: the parsed VM stays as the file says.
    VirtualMachine copy = ManifestCopies.copy(e.vm);
    runState(key).ifPresent(state -> copy.getSpec().runState = state);
    // Suspend and resume are spec changes, as kubectl patch would make them.
    copy.getMetadata().setGeneration(generations.getOrDefault(key, 1L));
    return Optional.of(copy);
  }

  @Override
  public Collection<VmKey> keys() {
    return List.copyOf(vms.keySet());
  }

  /** The file that defines the VM. */
  /**
   * The key for a name as virsh users give it: the VM's name, else the libvirt name of a domain
   * imported under another (StratoVirt for stratovirt).
   */
  public synchronized VmKey keyFor(String name) {
    VmKey direct = new VmKey(NAMESPACE, name);
    if (vms.containsKey(direct)) {
      return direct;
    }
    return vms.entrySet().stream()
        .filter(e -> name != null && name.equals(DomainXmlExporter.domainName(e.getValue().vm)))
        .map(Map.Entry::getKey).findFirst().orElse(direct);
  }

  public Optional<Path> file(VmKey key) {
    return Optional.ofNullable(vms.get(key)).map(Entry::file);
  }

  public Map<Path, String> problems() {
    return new TreeMap<>(problems);
  }

  /**
   * virsh create: the VM about to be written is transient, so it goes when its VMM ends for good
   * ({@link #ended}); a file put into the directory by other means stays, Stopped.
   */
  public void markTransient(VmKey key) throws IOException {
    StateDirectory dir = new StateDirectory(stateRoot, key);
    dir.create();
    StateDirectory.writeAtomically(dir.file(TRANSIENT_FILE), "created by virsh create\n");
  }

  @Override
  public void ended(VmKey key) {
    Optional<Path> file = file(key);
    if (file.isEmpty() || !Files.exists(new StateDirectory(stateRoot, key).file(TRANSIENT_FILE))) {
      return;
    }
    try {
      log.info("{}: its VMM ended and is not started again: the transient VM goes ({} removed)", key.name(), file.get());
      Files.deleteIfExists(file.get());
      scan();
    } catch (IOException e) {
      log.warn("{}: cannot remove {}: {}", key.name(), file.get(), e.getMessage());
    }
  }

  /** virsh suspend and resume: the VM's run state, until its file changes or it is destroyed. */
  public void setRunState(VmKey key, RunState state) throws IOException {
    StateDirectory dir = new StateDirectory(stateRoot, key);
    dir.create();
    StateDirectory.writeAtomically(dir.file(RUN_STATE_FILE), state.name() + "\n");
    generations.merge(key, 1L, Long::sum);
    changed.accept(key);
  }

  Optional<RunState> runState(VmKey key) {
    Path f = new StateDirectory(stateRoot, key).file(RUN_STATE_FILE);
    try {
      return Optional.of(RunState.valueOf(Files.readString(f).trim()));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private void clearRunState(VmKey key) {
    try {
      Files.deleteIfExists(new StateDirectory(stateRoot, key).file(RUN_STATE_FILE));
    } catch (IOException e) {
      log.warn("{}: cannot clear the run state: {}", key, e.getMessage());
    }
  }

  private static String digest(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    scanner.shutdownNow();
  }
}
