package io.jvmm.agent.vmm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts VMM processes so that they outlive the agent, and finds them again after the agent
 * restarts. Each VMM runs under a small launcher shell in a session of its own (setsid): the
 * agent's death, its process group's signals and its closed pipes do not reach it; with
 * {@link VmmDetachment#SYSTEMD_SCOPE} also in a systemd scope, a cgroup of its own, so that a
 * container restart of the agent does not reach it either. The launcher
 * writes the VMM's pid to the state directory, waits for it, and writes its exit status there
 * too, which is how an agent that did not start a VMM still learns how it ended.
 */
public final class VmmSupervisor {
  private static final Logger log = LoggerFactory.getLogger(VmmSupervisor.class);

  /**
   * $1 the state directory, $2 the VMM's cgroup (empty: none), the rest the VMM's argv. The
   * launcher joins the cgroup before it starts the VMM, so that the VMM's every page is charged
   * there. The pid file appears by rename, so a reader sees a whole number or nothing; so does
   * the exit status.
   */
  static final String LAUNCHER = String.join("\n",
      "dir=$1; cg=$2; shift 2",
      "rm -f \"$dir/exit-status\"",
      "if [ -n \"$cg\" ] && ! echo $$ >\"$cg/cgroup.procs\"; then",
      "  echo \"=== cannot join the VMM's cgroup $cg\" >>\"$dir/vmm.log\"; exit 125",
      "fi",
      "echo \"=== $(date -u +%Y-%m-%dT%H:%M:%SZ) starting $*\" >>\"$dir/vmm.log\"",
      "\"$@\" </dev/null >>\"$dir/vmm.log\" 2>&1 &",
      "pid=$!",
      "echo $pid >\"$dir/vmm.pid.tmp\" && mv \"$dir/vmm.pid.tmp\" \"$dir/vmm.pid\"",
      "wait $pid",
      "status=$?",
      "[ -z \"$cg\" ] || cp \"$cg/memory.peak\" \"$dir/memory.peak\" 2>/dev/null",
      "echo $status >\"$dir/exit-status.tmp\" && mv \"$dir/exit-status.tmp\" \"$dir/exit-status\"",
      "echo \"=== $(date -u +%Y-%m-%dT%H:%M:%SZ) exited with status $status\" >>\"$dir/vmm.log\"",
      "");

  private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "vmm-exit-watch");
    t.setDaemon(true);
    return t;
  });
  private final Duration pollInterval;
  private final VmmDetachment detachment;
  private final VmmCgroups cgroups;

  public VmmSupervisor() {
    this(Duration.ofMillis(250), VmmDetachment.SESSION, null);
  }

  public VmmSupervisor(VmmDetachment detachment, VmmCgroups cgroups) {
    this(Duration.ofMillis(250), detachment, cgroups);
  }

  /**
   * @param cgroups where VMMs outside systemd scopes get their cgroups; null: none (no cgroup
   *     v2 on this host), and such VMMs run without limits
   */
  public VmmSupervisor(Duration pollInterval, VmmDetachment detachment, VmmCgroups cgroups) {
    this.pollInterval = pollInterval;
    this.detachment = detachment;
    this.cgroups = cgroups;
  }

  /**
   * The command that runs the launcher for {@code state} with the VMM's argv (program first),
   * limited by {@code limits} (null: none): as properties of its systemd scope, or in
   * {@code cgroup} (null: none).
   */
  static List<String> launcherCommand(VmmDetachment detachment, StateDirectory state, List<String> vmmArgv,
      long launchMillis, VmmLimits limits, Path cgroup) {
    List<String> command = new ArrayList<>();
    command.add("setsid");
    if (detachment == VmmDetachment.SYSTEMD_SCOPE) {
      // systemd-run --scope makes the scope around its own process, then execs the launcher in
      // it; --collect drops the unit when the VMM ends even if it failed.
      command.addAll(List.of("systemd-run", "--scope", "--quiet", "--collect",
          "--unit=" + VmmDetachment.unitName(state.key().namespace(), state.key().name(), launchMillis),
          "--description=jvmm VM " + state.key().namespace() + "/" + state.key().name()));
      if (limits != null) {
        command.addAll(limits.systemdProperties());
      }
      command.add("--");
    }
    command.addAll(List.of("sh", "-c", LAUNCHER, "jvmm-launcher", state.path().toString(),
        cgroup == null ? "" : cgroup.toString()));
    command.addAll(vmmArgv);
    return command;
  }

  /** Starts a VMM with no resource limits (see {@link #start(StateDirectory, List, VmmLimits)}). */
  public VmmProcess start(StateDirectory state, List<String> argv) throws IOException {
    return start(state, argv, null);
  }

  /**
   * Starts argv (program first) with the state directory's files, in a cgroup with
   * {@code limits} (null: none), waits until the launcher has written the VMM's pid and
   * returns it.
   */
  public VmmProcess start(StateDirectory state, List<String> argv, VmmLimits limits) throws IOException {
    state.create();
    Files.deleteIfExists(state.pidFile());
    Files.deleteIfExists(state.exitStatusFile());
    for (Path socket : List.of(state.qmpSocket(), state.consoleSocket(), state.serialSocket())) {
      Files.deleteIfExists(socket);
    }
    Path cgroup = limits != null && detachment == VmmDetachment.SESSION && cgroups != null
        ? cgroups.prepare(state.key(), limits) : null;
    List<String> command = launcherCommand(detachment, state, argv, System.currentTimeMillis(), limits, cgroup);
    Process launcher = new ProcessBuilder(command)
        .directory(state.vmmDirectory().toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.appendTo(state.vmmLog().toFile()))
        .redirectErrorStream(true)
        .start();
    // The launcher stays a child of this agent while it lives; reap it when it ends.
    launcher.onExit();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      Optional<Long> pid = state.readPid();
      if (pid.isPresent()) {
        ProcessIdentity.of(pid.get()).ifPresent(id -> {
          try {
            StateDirectory.writeAtomically(state.file(ProcessIdentity.FILE), id.text());
          } catch (IOException e) {
            log.warn("{}: cannot record the VMM's identity: {}", state.key(), e.getMessage());
          }
        });
        Optional<ProcessHandle> handle = ProcessHandle.of(pid.get());
        Instant started = handle.flatMap(h -> h.info().startInstant()).orElse(Instant.now());
        log.info("{}: started VMM pid {}: {}", state.key(), pid.get(), argv);
        return new VmmProcess(pid.get(), started, false, watchExit(state, pid.get()));
      }
      if (!launcher.isAlive() || System.nanoTime() > deadline) {
        launcher.destroy();
        throw new IOException("the VMM launcher for " + state.key() + " wrote no pid file ("
            + (launcher.isAlive() ? "timed out" : "exited with " + launcher.exitValue()) + "); "
            + state.vmmLog() + " ends with:\n" + state.vmmLogTail(10, 2000));
      }
      sleep(20);
    }
  }

  /**
   * The VMM that an earlier agent started for this state directory, if it still runs: the pid
   * file names a live process that started when the recorded one did, in this boot of the node
   * (so a pid reused by another process, or one from before a reboot, is never taken for it), and
   * whose command line holds this VM's QMP socket.
   */
  public Optional<VmmProcess> adopt(StateDirectory state) {
    Optional<Long> pid = state.readPid();
    if (pid.isEmpty()) {
      return Optional.empty();
    }
    Optional<ProcessHandle> handle = ProcessHandle.of(pid.get()).filter(ProcessHandle::isAlive);
    if (handle.isEmpty() || !commandLineMentions(pid.get(), state.qmpSocket().toString())) {
      return Optional.empty();
    }
    Optional<ProcessIdentity> recorded = ProcessIdentity.read(state.file(ProcessIdentity.FILE));
    Optional<ProcessIdentity> now = ProcessIdentity.of(pid.get());
    if (recorded.isPresent() && !recorded.equals(now)) {
      log.info("{}: pid {} is not the VMM that was started ({} now, {} recorded); not adopted", state.key(), pid.get(),
          now.map(ProcessIdentity::text).orElse("gone"), recorded.get().text());
      return Optional.empty();
    }
    Instant started = handle.get().info().startInstant().orElse(Instant.now());
    log.info("{}: adopted running VMM pid {}", state.key(), pid.get());
    return Optional.of(new VmmProcess(pid.get(), started, true, watchExit(state, pid.get())));
  }

  /** Signals the VMM: SIGTERM, or SIGKILL when forcibly. */
  public void kill(VmmProcess process, boolean forcibly) {
    ProcessHandle.of(process.pid()).ifPresent(h -> {
      if (forcibly) {
        h.destroyForcibly();
      } else {
        h.destroy();
      }
    });
  }

  private CompletableFuture<Integer> watchExit(StateDirectory state, long pid) {
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    // ProcessHandle.onExit of a process that is not our child polls too, but on a thread per
    // process; one scheduled poll for all VMMs is enough at this rate.
    Runnable[] poll = new Runnable[1];
    long[] goneSince = {0};
    poll[0] = () -> {
      boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
      if (alive && !isZombie(pid)) {
        watcher.schedule(poll[0], pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        return;
      }
      Optional<Integer> status = state.readExitStatus();
      if (status.isPresent()) {
        exit.complete(status.get());
        return;
      }
      // The launcher writes the status right after wait returns; give it a moment, and give up
      // when the launcher is gone too.
      if (goneSince[0] == 0) {
        goneSince[0] = System.nanoTime();
      }
      if (System.nanoTime() - goneSince[0] > Duration.ofSeconds(3).toNanos()) {
        exit.complete(null);
      } else {
        watcher.schedule(poll[0], 50, TimeUnit.MILLISECONDS);
      }
    };
    watcher.execute(poll[0]);
    return exit;
  }

  private static boolean isZombie(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      int close = stat.lastIndexOf(')');
      return close > 0 && stat.length() > close + 2 && stat.charAt(close + 2) == 'Z';
    } catch (IOException e) {
      return false;
    }
  }

  static boolean commandLineMentions(long pid, String text) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      return new String(raw, StandardCharsets.UTF_8).contains(text);
    } catch (IOException e) {
      return ProcessHandle.of(pid).flatMap(h -> h.info().arguments())
          .map(args -> String.join(" ", args).contains(text)).orElse(false);
    }
  }

  /** The VM has left the node: its cgroup goes too. */
  public void removeCgroup(StateDirectory state) {
    if (cgroups != null) {
      cgroups.remove(state.key());
    }
  }

  public Executor executor() {
    return watcher;
  }

  private static void sleep(long millis) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting the VMM", e);
    }
  }
}
