package io.jvmm.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvmm.agent.console.ConsoleHub;
import io.jvmm.agent.qmp.QmpClient;
import io.jvmm.agent.qmp.QmpException;
import io.jvmm.agent.reconcile.VmmObservation;
import io.jvmm.agent.vmm.StateDirectory;
import io.jvmm.agent.vmm.VmmLimits;
import io.jvmm.agent.vmm.VmmProcess;
import io.jvmm.agent.vmm.VmmSupervisor;
import io.jvmm.crds.v1alpha1.AgentStatus;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.domain.InvalidVirtualMachineException;
import io.jvmm.domain.NodeExclusiveResources;
import io.jvmm.domain.VmmCommandLine;
import io.jvmm.domain.VmmLaunchOptions;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One VM on this node as the agent holds it: its state directory, its VMM process, the QMP
 * connection, its consoles and what happened before (restarts, the last exit). Only the
 * agent's reconcile thread touches it.
 */
final class VmRuntime {
  private static final Logger log = LoggerFactory.getLogger(VmRuntime.class);
  /** After quit, how long before the VMM gets SIGKILL. */
  static final Duration QUIT_PATIENCE = Duration.ofSeconds(10);
  private static final String STARTED_FILE = "started.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  final VmKey key;
  final StateDirectory state;
  private final AgentSettings settings;
  private final VmmSupervisor supervisor;
  private final Consumer<VmKey> poke;

  VmmProcess process;
  QmpClient qmp;
  final ConsoleHub serial;
  final ConsoleHub console;
  boolean hasVirtioConsole;

  int restarts;
  int recentFailures;
  Integer lastExitCode;
  Instant exitedAt;
  boolean exitRequested;
  long exitGeneration;
  String lastExitMessage;
  String logTail;
  Instant powerdownSentAt;
  Instant quitSentAt;
  long generation;
  String qmpStatus;
  AgentStatus lastReported;
  String lastReportedJson;
  boolean cleanedUp;
  /** The last start was refused (the VM is invalid here), not a VMM that ran and ended. */
  boolean startRefused;
  /** Whether the VM's earlier status.agent (restart count) was taken over yet. */
  boolean carriedOver;
  /** The current VMM has answered QMP: from now on silence means it is stopped or hung, not starting. */
  boolean qmpAnswered;
  /** What the current VMM holds on the node alone, as its spec was when it started; null for one adopted. */
  List<NodeExclusiveResources.Resource> holds;
  /** The last start waited for a resource another VM of the node holds: the state to report is Failed. */
  boolean waitingForResource;
  /** The spec the live VMM was started from, and the restart mark then; null while unknown (adopted, no record). */
  JsonNode startedSpec;
  String startedRestartMark;
  /** Spec fields changed since the live VMM started that only a new one applies, as last reconciled. */
  List<String> specDrift = List.of();

  VmRuntime(VmKey key, AgentSettings settings, VmmSupervisor supervisor, Consumer<VmKey> poke) {
    this.key = key;
    this.settings = settings;
    this.supervisor = supervisor;
    this.poke = poke;
    this.state = new StateDirectory(settings.stateRoot(), key);
    this.serial = new ConsoleHub(key + " serial", state.serialLog(), settings.scrollBack());
    this.console = new ConsoleHub(key + " console", state.consoleLog(), settings.scrollBack());
  }

  /** The console a viewer gets: the virtio console (hvc0) when the VM has one, else the serial port. */
  ConsoleHub primaryConsole() {
    return hasVirtioConsole ? console : serial;
  }

  /** Takes over a VMM that an earlier agent started, or learns how it ended while no agent watched. */
  void adopt() {
    supervisor.adopt(state).ifPresentOrElse(p -> {
      process = p;
      holds = null;
      readStartRecord();
      qmpAnswered = false;
      hasVirtioConsole = java.nio.file.Files.exists(state.consoleSocket());
      watch(p);
      connectConsoles();
    }, () -> state.readExitStatus().ifPresent(code -> {
      lastExitCode = code;
      exitedAt = Instant.now();
      // Unknown generation: only the restart policy decides about a VMM that ended unseen.
      exitGeneration = Long.MAX_VALUE;
      logTail = state.vmmLogTail(20, 4000);
      lastExitMessage = "the VMM ended while no agent watched it";
    }));
  }

  VmmObservation observe() {
    if (process != null && !process.isAlive()) {
      Integer code = process.exit().getNow(null);
      Instant started = process.startedAt();
      Instant now = Instant.now();
      if (Duration.between(started, now).compareTo(settings.backoff().stableAfter()) > 0) {
        recentFailures = 0;
      }
      lastExitCode = code;
      exitedAt = now;
      exitRequested = quitSentAt != null || powerdownSentAt != null;
      exitGeneration = generation;
      logTail = state.vmmLogTail(20, 4000);
      lastExitMessage = null;
      closeQmp();
      qmpStatus = null;
      process = null;
      powerdownSentAt = null;
      quitSentAt = null;
      if (code != null && code == 0 || exitRequested) {
        log.info("{}: VMM ended with status {}{}", key, code, exitRequested ? " (as asked)" : "");
      } else {
        // Said here too: a transient VM's state directory, and its vmm.log, go with it.
        log.warn("{}: VMM ended with status {}; its log ends:\n{}", key, code, logTail);
      }
    }
    if (process == null) {
      if (exitedAt == null) {
        return VmmObservation.none();
      }
      return startRefused ? VmmObservation.refused(exitedAt, exitGeneration)
          : VmmObservation.exited(lastExitCode, exitedAt, exitRequested, exitGeneration, recentFailures);
    }
    String status = null;
    if (ensureQmp()) {
      try {
        status = qmp.queryStatus();
      } catch (QmpException e) {
        // Said once per loss of an answering VMM: the state then falls back to STARTING.
        if (qmpStatus != null) {
          log.info("{}: query-status failed: {}", key, e.getMessage());
        }
      }
    }
    qmpStatus = status;
    if (status != null) {
      qmpAnswered = true;
    }
    // Silence while the agent has asked the VMM to end is the VMM going away, not a hang.
    boolean ending = quitSentAt != null || powerdownSentAt != null;
    VmmObservation seen = status == null && !ending && (qmpAnswered || process.adopted()) ? VmmObservation.silent()
        : VmmObservation.running(status);
    return seen.withPowerdownSentAt(powerdownSentAt);
  }

  /** query-status as last observed. */
  String observedQmpStatus() {
    return qmpStatus;
  }

  void start(VirtualMachine vm) throws IOException, InvalidVirtualMachineException {
    startRefused = false;
    exitedAt = null;
    lastExitMessage = null;
    exitRequested = false;
    powerdownSentAt = null;
    quitSentAt = null;
    cleanedUp = false;
    VmmCommandLine line = VmmCommandLine.build(vm, VmmLaunchOptions.inStateDir(state.path(), settings.nodePaths())
        .withQmpSocket(state.qmpSocket())
        .withConsoleSocket(state.consoleSocket())
        .withSerial("unix:" + state.serialSocket() + ",server,nowait"));
    List<String> argv = new ArrayList<>();
    if (settings.privileges() != null) {
      argv.addAll(settings.privileges().prepare(state, vm)); // ends with env -i and its variables
    } else {
      argv.add("env");
    }
    // jvmm opens the VM's files itself beneath these roots, following no symlink (HostFiles).
    argv.add("JVMM_ALLOWED_ROOTS=" + settings.nodePaths().roots().stream().map(Object::toString)
        .collect(java.util.stream.Collectors.joining(":")));
    argv.add(VmmCommandLine.DEFAULT_PROGRAM.equals(line.program()) ? settings.vmmProgram() : line.program());
    argv.addAll(line.args());
    hasVirtioConsole = vm.getSpec().devices != null && vm.getSpec().devices.consoles != null
        && !vm.getSpec().devices.consoles.isEmpty();
    process = supervisor.start(state, argv, VmmLimits.of(vm));
    holds = NodeExclusiveResources.of(vm.getSpec());
    recordStart(vm);
    qmpAnswered = false;
    watch(process);
    connectConsoles();
  }

  /**
   * Keeps the spec and restart mark this VMM starts from, in memory and in the state directory
   * (started.json), so that a later agent that adopts the VMM knows what it runs.
   */
  void recordStart(VirtualMachine vm) {
    startedSpec = JSON.valueToTree(vm.getSpec());
    startedRestartMark = restartMark(vm);
    ObjectNode record = JSON.createObjectNode();
    record.set("spec", startedSpec);
    record.put("restartMark", startedRestartMark);
    try {
      StateDirectory.writeAtomically(state.file(STARTED_FILE), JSON.writeValueAsString(record));
    } catch (IOException e) {
      log.warn("{}: cannot record the spec the VMM started from: {}", key, e.getMessage());
    }
  }

  /** What started.json says the adopted VMM started from; nothing when no agent recorded it. */
  private void readStartRecord() {
    try {
      JsonNode record = JSON.readTree(state.file(STARTED_FILE).toFile());
      startedSpec = record.get("spec");
      startedRestartMark = record.hasNonNull("restartMark") ? record.get("restartMark").asText() : null;
    } catch (IOException | RuntimeException e) {
      startedSpec = null;
      startedRestartMark = null;
    }
  }

  static String restartMark(VirtualMachine vm) {
    var annotations = vm.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(VirtualMachine.RESTARTED_AT_ANNOTATION);
  }

  private void watch(VmmProcess p) {
    p.exit().thenRun(() -> poke.accept(key));
  }

  private void connectConsoles() {
    // The chardev sockets appear once the VMM has parsed its options; connect as soon as they
    // do, from threads of their own, so that the reconcile thread never waits on a VMM.
    VmmProcess p = process;
    serial.connectInBackground(state.serialSocket(), p::isAlive);
    if (hasVirtioConsole) {
      console.connectInBackground(state.consoleSocket(), p::isAlive);
    }
  }

  /** Connects QMP if it is not; false while the VMM's socket does not answer. */
  boolean ensureQmp() {
    if (qmp != null && qmp.isOpen()) {
      return true;
    }
    closeQmp();
    if (!java.nio.file.Files.exists(state.qmpSocket())) {
      return false;
    }
    try {
      qmp = QmpClient.connect(state.qmpSocket(), this::onEvent, Duration.ofSeconds(5));
      return true;
    } catch (IOException e) {
      log.debug("{}: QMP not ready: {}", key, e.getMessage());
      return false;
    }
  }

  private void onEvent(JsonNode event) {
    log.debug("{}: QMP event {}", key, event);
    poke.accept(key);
  }

  void qmp(String command) {
    if (!ensureQmp()) {
      log.info("{}: QMP {} not sent: the socket does not answer yet", key, command);
      return;
    }
    try {
      qmp.execute(command, null);
    } catch (QmpException e) {
      log.warn("{}: {}", key, e.getMessage());
    }
  }

  void powerdown() {
    powerdownSentAt = Instant.now();
    qmp("system_powerdown");
  }

  /** QMP quit; SIGTERM when QMP does not answer; SIGKILL when the VMM outstays its notice. */
  void quit() {
    if (process == null) {
      return;
    }
    Instant now = Instant.now();
    if (quitSentAt == null) {
      quitSentAt = now;
      if (ensureQmp()) {
        try {
          qmp.execute("quit", null);
          return;
        } catch (QmpException e) {
          // The VMM closing the socket while answering quit is the normal outcome.
          if (!process.isAlive()) {
            return;
          }
        }
      }
      supervisor.kill(process, false);
    } else if (Duration.between(quitSentAt, now).compareTo(QUIT_PATIENCE) > 0) {
      log.warn("{}: VMM pid {} did not end {} s after quit; killing it", key, process.pid(),
          QUIT_PATIENCE.toSeconds());
      supervisor.kill(process, true);
    }
  }

  void cleanUp() {
    closeQmp();
    serial.close();
    console.close();
    try {
      if (settings.privileges() != null) {
        settings.privileges().release(state);
      }
      supervisor.removeCgroup(state);
      state.delete();
    } catch (IOException e) {
      log.warn("{}: cannot remove {}: {}", key, state, e.getMessage());
    }
    cleanedUp = true;
    exitedAt = null;
    lastExitCode = null;
  }

  /** The start failed: refused (the VM is invalid here) or the VMM could not be launched. */
  void launchFailed(String message, boolean refused) {
    startRefused = refused;
    lastExitCode = null;
    exitedAt = Instant.now();
    exitRequested = false;
    exitGeneration = generation;
    lastExitMessage = message;
    logTail = state.vmmLogTail(20, 4000);
    process = null;
  }

  void closeQmp() {
    if (qmp != null) {
      qmp.close();
      qmp = null;
    }
  }

  void close() {
    closeQmp();
    serial.close();
    console.close();
  }
}
