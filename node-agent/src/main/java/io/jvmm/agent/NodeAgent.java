package io.jvmm.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvmm.agent.console.ConsoleHub;
import io.jvmm.agent.reconcile.DesiredVm;
import io.jvmm.agent.reconcile.SpecChanges;
import io.jvmm.agent.reconcile.VmAction;
import io.jvmm.agent.reconcile.VmDecision;
import io.jvmm.agent.reconcile.VmReconciler;
import io.jvmm.agent.reconcile.VmmObservation;
import io.jvmm.agent.vmm.StateDirectory;
import io.jvmm.agent.vmm.VmmSupervisor;
import io.jvmm.agent.vmm.VmmCgroups;
import io.jvmm.agent.vmm.VmmDetachment;
import io.jvmm.crds.v1alpha1.AgentStatus;
import io.jvmm.crds.v1alpha1.AgentStatus.VmmState;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.domain.InvalidVirtualMachineException;
import io.jvmm.domain.NodeExclusiveResources;
import io.jvmm.domain.Problem;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's loop: for each VM of the node, observe the VMM, ask the {@link VmReconciler} what
 * to do, do it, and report status.agent when it changed. Everything that touches a VM runs on
 * one thread, woken by the VM source, by VMM exits, by QMP events and by a periodic resync, so
 * no two actions on one VM ever race.
 */
public final class NodeAgent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final AgentSettings settings;
  private final VmSource source;
  private final AgentStatusSink sink;
  private final VmEventSink events;
  private final VmmSupervisor supervisor;
  private final VmReconciler reconciler;
  private final Map<VmKey, VmRuntime> runtimes = new ConcurrentHashMap<>();
  private final Set<VmKey> queued = ConcurrentHashMap.newKeySet();
  /**
   * Whether the source has delivered its first full view. Before that, a VM missing from it
   * is unknown, not gone: acting then would quit every adopted VMM of a restarting agent.
   */
  private volatile boolean sourceReady;
  private volatile long lastResyncNanos = System.nanoTime();
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "node-agent-reconcile");
    t.setDaemon(true);
    return t;
  });

  public NodeAgent(AgentSettings settings, VmSource source, AgentStatusSink sink) {
    this(settings, source, sink, VmEventSink.NONE);
  }

  /** With {@code events}: an event for each transition of a VMM ({@link VmTransitions}). */
  public NodeAgent(AgentSettings settings, VmSource source, AgentStatusSink sink, VmEventSink events) {
    this.settings = settings;
    this.source = source;
    this.sink = sink;
    this.events = events;
    this.supervisor = new VmmSupervisor(settings.detachment(),
        settings.detachment() == VmmDetachment.SESSION ? VmmCgroups.forHost() : null);
    this.reconciler = new VmReconciler(settings.stopGrace(), settings.backoff());
  }

  public AgentSettings settings() {
    return settings;
  }

  /** Adopts what an earlier agent left running, then starts watching the source. */
  public void start() throws Exception {
    runOnLoop(() -> {
      try {
        for (StateDirectory dir : StateDirectory.existing(settings.stateRoot())) {
          VmRuntime runtime = runtime(dir.key());
          runtime.adopt();
        }
      } catch (IOException e) {
        log.warn("cannot list the state directories under {}: {}", settings.stateRoot(), e.getMessage());
      }
    });
    source.start(this::poke);
    sourceReady = true;
    loop.scheduleWithFixedDelay(this::resyncAll, 0, settings.resync().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Looks at one VM soon; repeated pokes before it runs collapse into one. */
  public void poke(VmKey key) {
    if (queued.add(key)) {
      loop.execute(() -> {
        queued.remove(key);
        reconcile(key);
      });
    }
  }

  private void resyncAll() {
    Set<VmKey> keys = new TreeSet<>(source.keys());
    keys.addAll(runtimes.keySet());
    keys.forEach(this::reconcile);
    lastResyncNanos = System.nanoTime();
  }

  /** Whether the reconcile loop went round within {@code within}: one that is stuck is a dead agent. */
  public boolean loopAliveWithin(Duration within) {
    return System.nanoTime() - lastResyncNanos < within.toNanos();
  }

  private VmRuntime runtime(VmKey key) {
    return runtimes.computeIfAbsent(key, k -> new VmRuntime(k, settings, supervisor, this::poke));
  }

  private void reconcile(VmKey key) {
    if (!sourceReady) {
      return;
    }
    try {
      Optional<VirtualMachine> vm = source.get(key);
      VmRuntime runtime = vm.isPresent() ? runtime(key) : runtimes.get(key);
      if (runtime == null) {
        return;
      }
      if (vm.isPresent() && !runtime.carriedOver) {
        carryOver(runtime, vm.get());
        runtime.carriedOver = true;
      }
      DesiredVm desired = vm.map(DesiredVm::of).orElse(DesiredVm.GONE);
      if (vm.isPresent()) {
        runtime.generation = desired.generation();
      }
      VmmObservation seen = runtime.observe();
      if (vm.isPresent()) {
        seen = withSpecDrift(runtime, vm.get(), seen);
      }
      VmDecision decision = reconciler.decide(desired, seen, Instant.now());
      String message = act(runtime, vm.orElse(null), decision);
      if (vm.isEmpty() && runtime.cleanedUp) {
        runtimes.remove(key).close();
        return;
      }
      if (vm.isPresent()) {
        report(runtime, vm.get(), decision, message);
      }
      if (decision.retryAt() != null) {
        long delay = Math.max(10, Duration.between(Instant.now(), decision.retryAt()).toMillis());
        loop.schedule(() -> poke(key), delay, TimeUnit.MILLISECONDS);
      }
    } catch (RuntimeException e) {
      log.error("{}: reconcile failed", key, e);
    }
  }

  /** What changed since the live VMM started, and whether kubectl vm restart asked for a new one since. */
  private static VmmObservation withSpecDrift(VmRuntime runtime, VirtualMachine vm, VmmObservation seen) {
    if (runtime.process == null) {
      runtime.specDrift = List.of();
      return seen;
    }
    if (runtime.startedSpec == null) {
      // Adopted from an agent that kept no record: taken to run what the spec says now.
      runtime.recordStart(vm);
    }
    runtime.specDrift = SpecChanges.needingRestart(runtime.startedSpec, JSON.valueToTree(vm.getSpec()));
    String mark = VmRuntime.restartMark(vm);
    boolean asked = mark != null && !mark.equals(runtime.startedRestartMark);
    return seen.withSpecDrift(runtime.specDrift, asked);
  }

  /** A new agent goes on counting restarts where the last one's status left off. */
  private void carryOver(VmRuntime runtime, VirtualMachine vm) {
    AgentStatus before = vm.getStatus() == null ? null : vm.getStatus().agent;
    if (before != null && settings.nodeName().equals(before.nodeName) && before.restarts != null) {
      runtime.restarts = Math.max(runtime.restarts, before.restarts);
    }
  }

  /** Carries the decision out; returns a message to report instead of the decision's, or null. */
  private String act(VmRuntime runtime, VirtualMachine vm, VmDecision decision) {
    switch (decision.action()) {
      case NONE -> {
        return runtime.lastExitMessage;
      }
      case ENDED -> {
        source.ended(runtime.key);
        return runtime.lastExitMessage;
      }
      case START, RESTART -> {
        Optional<Problem> clash = NodeExclusiveResources.clash(NodeExclusiveResources.of(vm.getSpec()),
            heldByOtherVms(runtime.key));
        runtime.waitingForResource = clash.isPresent();
        if (clash.isPresent()) {
          // Not started, and tried again on each resync: it starts once the other VM lets go.
          return "the VM cannot run on this node now: " + clash.get();
        }
        if (decision.action() == VmAction.RESTART) {
          runtime.restarts++;
          runtime.recentFailures++;
        }
        try {
          runtime.start(vm);
          poke(runtime.key);
          return null;
        } catch (InvalidVirtualMachineException e) {
          String why = "the VM cannot run on this node: " + e.getMessage().replace('\n', ';');
          runtime.launchFailed(why, true);
          return why;
        } catch (IOException e) {
          String why = "cannot start the VMM: " + e.getMessage();
          runtime.launchFailed(why, false);
          return why;
        }
      }
      case PAUSE -> runtime.qmp("stop");
      case RESUME -> runtime.qmp("cont");
      case POWERDOWN -> runtime.powerdown();
      case QUIT -> {
        runtime.quit();
        // quit escalates to SIGKILL after its patience: look again then.
        loop.schedule(() -> poke(runtime.key), VmRuntime.QUIT_PATIENCE.toMillis() + 100, TimeUnit.MILLISECONDS);
      }
      case CLEAN_UP -> {
        if (!runtime.cleanedUp) {
          runtime.cleanUp();
        }
      }
      default -> throw new IllegalStateException("unknown action " + decision.action());
    }
    // The state changes through QMP events and exits, which poke again; look once more soon in
    // case an event is missed.
    loop.schedule(() -> poke(runtime.key), 500, TimeUnit.MILLISECONDS);
    return null;
  }

  /**
   * Which VM of this node holds each of the node's exclusive resources (vsock CIDs, taps, host
   * devices): those with a live VMM other than {@code except}, as each was started (an adopted
   * one as its spec says now).
   */
  private Map<String, String> heldByOtherVms(VmKey except) {
    Map<String, String> held = new java.util.HashMap<>();
    for (VmRuntime r : runtimes.values()) {
      if (r.key.equals(except) || r.process == null) {
        continue;
      }
      List<NodeExclusiveResources.Resource> holds = r.holds != null ? r.holds
          : source.get(r.key).map(vm -> NodeExclusiveResources.of(vm.getSpec())).orElse(List.of());
      holds.forEach(resource -> held.putIfAbsent(resource.name(), r.key.toString()));
    }
    return held;
  }

  private void report(VmRuntime runtime, VirtualMachine vm, VmDecision decision, String message) {
    AgentStatus status = new AgentStatus();
    status.nodeName = settings.nodeName();
    boolean waiting = runtime.waitingForResource && runtime.process == null
        && (decision.action() == VmAction.START
            || decision.action() == VmAction.RESTART);
    status.state = waiting ? VmmState.FAILED : decision.state();
    status.message = message != null ? message : decision.message();
    if (runtime.process != null) {
      status.pid = runtime.process.pid();
      status.startedAt = runtime.process.startedAt().truncatedTo(ChronoUnit.SECONDS).toString();
      if (runtime.qmp != null) {
        try {
          status.qmpStatus = runtime.qmp.isOpen() ? runtime.observedQmpStatus() : null;
        } catch (RuntimeException e) {
          status.qmpStatus = null;
        }
      }
    }
    status.restarts = runtime.restarts;
    status.exitCode = runtime.lastExitCode;
    if (status.state == VmmState.FAILED && runtime.logTail != null && !runtime.logTail.isEmpty()) {
      status.logTail = runtime.logTail;
    }
    status.observedGeneration = vm.getMetadata().getGeneration();
    status.restartRequiredBy = runtime.process == null || runtime.specDrift.isEmpty() ? null : runtime.specDrift;
    String json;
    try {
      json = JSON.writeValueAsString(status);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    if (json.equals(runtime.lastReportedJson)) {
      return;
    }
    try {
      sink.report(vm, status);
      boolean adopted = runtime.process != null && runtime.process.adopted();
      for (VmEvent event : VmTransitions.between(runtime.lastReported, status, adopted)) {
        events.record(vm, event);
      }
      runtime.lastReportedJson = json;
      runtime.lastReported = status;
      log.info("{}: {} {}{}", runtime.key, status.state, status.message,
          status.qmpStatus == null ? "" : " (QMP " + status.qmpStatus + ")");
    } catch (Exception e) {
      log.warn("{}: cannot report status: {}", runtime.key, e.getMessage());
    }
  }

  /** What status.agent last said of each VM, for the standalone list command. */
  public Map<VmKey, AgentStatus> statuses() {
    Map<VmKey, AgentStatus> all = new TreeMap<>();
    for (VmKey key : source.keys()) {
      VmRuntime r = runtimes.get(key);
      all.put(key, r == null || r.lastReported == null ? null : r.lastReported);
    }
    return all;
  }

  /** The console viewers attach to: virtio console when the VM has one, else its serial port. */
  public Optional<ConsoleHub> console(VmKey key, boolean serial) {
    VmRuntime r = runtimes.get(key);
    if (r == null || r.cleanedUp) {
      return Optional.empty();
    }
    return Optional.of(serial ? r.serial : r.primaryConsole());
  }

  public Optional<StateDirectory> stateDirectory(VmKey key) {
    VmRuntime r = runtimes.get(key);
    return r == null ? Optional.empty() : Optional.of(r.state);
  }

  private void runOnLoop(Runnable task) throws Exception {
    loop.submit(task).get();
  }

  /**
   * Stops the agent and leaves every VMM running: the next agent adopts them. Only QMP and
   * console connections close.
   */
  @Override
  public void close() {
    source.close();
    try {
      loop.submit(() -> runtimes.values().forEach(VmRuntime::close)).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("closing VM connections: {}", e.getMessage());
    }
    loop.shutdownNow();
  }
}
