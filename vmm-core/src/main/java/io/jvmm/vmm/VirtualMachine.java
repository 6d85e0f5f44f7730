package io.jvmm.vmm;

import io.jvmm.vmm.arch.x86_64.BootException;
import io.jvmm.vmm.arch.x86_64.DirectKernelBoot;
import io.jvmm.vmm.chardev.CharBackend;
import io.jvmm.vmm.cli.DeviceSpec;
import io.jvmm.vmm.virtio.balloon.VirtioBalloon;
import io.jvmm.vmm.cpu.StopReason;
import io.jvmm.vmm.kvm.CpuidEntry;
import io.jvmm.vmm.kvm.Kvm;
import io.jvmm.vmm.kvm.KvmVcpu;
import io.jvmm.vmm.qmp.QmpEvents;
import io.jvmm.vmm.qmp.RunState;
import io.jvmm.vmm.qmp.VmControl;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The VM across its lifetime: boots a {@link Machine}, waits for it to stop, and decides what
 * comes next (another boot after a reset, or the end), reporting each change as a QMP event.
 * It is also what QMP commands act on.
 */
final class VirtualMachine implements VmControl {
    /** How the VM ended: exit status 0 for a clean end, 1 (with a message) for a failure. */
    record Outcome(int exitStatus, String message) {}

    private final Kvm kvm;
    private final List<CpuidEntry> supportedCpuid;
    private final int cpus;
    private final long ramBytes;
    private final DirectKernelBoot boot;
    private final CharBackend serialBackend;
    private final boolean noReboot;
    private final Machine.Devices devices;
    private volatile QmpEvents events = QmpEvents.NONE;
    private final Object lock = new Object();
    private Machine machine;
    private RunState state = RunState.PRELAUNCH;
    private boolean paused;
    /** The guest's clock when QMP stop paused it; -1 when not paused by stop. */
    private long pausedClock = -1;
    /** A stop asked for while no machine was running (between boots): applied to the next one. */
    private StopReason pendingStop;

    VirtualMachine(Kvm kvm, int cpus, long ramBytes, DirectKernelBoot boot, CharBackend serialBackend, boolean noReboot,
                   boolean startPaused, List<DeviceSpec> deviceSpecs, DeviceBackends backends) {
        this.devices = new Machine.Devices(deviceSpecs, backends,
                actual -> events.emit("BALLOON_CHANGE", Map.of("actual", ramBytes - actual)));
        this.kvm = kvm;
        this.supportedCpuid = kvm.supportedCpuid();
        StartupTrace.mark("supported CPUID read");
        this.cpus = cpus;
        this.ramBytes = ramBytes;
        this.boot = boot;
        this.serialBackend = serialBackend;
        this.noReboot = noReboot;
        this.paused = startPaused;
        serialBackend.connectInput((data, length) -> {
            Machine m;
            synchronized (lock) {
                m = machine;
            }
            if (m != null) {
                m.serial().receive(data, length);
            }
        });
    }

    void events(QmpEvents events) {
        this.events = events;
    }

    /**
     * Boots until the VM ends for good; returns how it ended. {@code beforeGuest} runs once, when
     * the first machine is built and before its guest runs its first instruction (where jvmm
     * gives up root and installs its system call filter); {@code started} runs once, when the
     * first boot's vCPUs are running: QMP clients never see the machine half built.
     */
    Outcome run(Runnable beforeGuest, Runnable started) throws BootException, InterruptedException {
        boolean first = true;
        while (true) {
            Machine m = Machine.build(kvm, supportedCpuid, cpus, ramBytes, boot, serialBackend.output(), devices);
            StartupTrace.mark("machine built");
            if (first) {
                try {
                    beforeGuest.run();
                } catch (RuntimeException e) {
                    m.close();
                    throw e;
                }
            }
            StopReason early;
            synchronized (lock) {
                machine = m;
                state = paused ? RunState.PAUSED : RunState.RUNNING;
                early = pendingStop;
                pendingStop = null;
            }
            if (early != null) {
                m.vcpus().stop(early);
            }
            m.vcpus().start(paused);
            if (first) {
                started.run();
                first = false;
            }
            StopReason reason = m.vcpus().awaitStop();
            synchronized (lock) {
                machine = null;
                state = reason.kind() == StopReason.Kind.FAILURE ? RunState.INTERNAL_ERROR : RunState.SHUTDOWN;
            }
            m.close();
            switch (reason.kind()) {
                case POWER_OFF -> {
                    events.emit("SHUTDOWN", Map.of("guest", true, "reason", "guest-shutdown"));
                    return new Outcome(0, null);
                }
                case QUIT -> {
                    events.emit("SHUTDOWN", Map.of("guest", false, "reason", reason.message()));
                    return new Outcome(0, null);
                }
                case RESET -> {
                    boolean byGuest = reason.message().startsWith("guest");
                    if (noReboot && byGuest) {
                        events.emit("SHUTDOWN", Map.of("guest", true, "reason", reason.message()));
                        return new Outcome(0, null);
                    }
                    events.emit("RESET", Map.of("guest", byGuest, "reason", reason.message()));
                }
                case FAILURE -> {
                    return new Outcome(1, reason.message());
                }
            }
        }
    }

    @Override
    public RunState runState() {
        synchronized (lock) {
            return state;
        }
    }

    @Override
    public void stop() {
        Machine m;
        synchronized (lock) {
            if (paused || machine == null) {
                paused = true;
                return;
            }
            paused = true;
            state = RunState.PAUSED;
            m = machine;
        }
        m.vcpus().pause();
        long clock;
        try {
            clock = m.guestClock();
        } catch (RuntimeException e) {
            clock = -1; // the machine went away (a reset) while pausing: nothing to keep
        }
        synchronized (lock) {
            pausedClock = machine == m ? clock : -1;
        }
        events.emit("STOP", Map.of());
    }

    @Override
    public void cont() {
        Machine m;
        synchronized (lock) {
            if (!paused) {
                return;
            }
            paused = false;
            m = machine;
            if (m != null) {
                state = RunState.RUNNING;
            }
        }
        if (m != null) {
            long clock;
            synchronized (lock) {
                clock = pausedClock;
                pausedClock = -1;
            }
            // As QEMU does for kvmclock: the guest's time stands still while it is stopped.
            if (clock >= 0) {
                m.restoreGuestClock(clock);
            }
            m.vcpus().resume();
        }
        events.emit("RESUME", Map.of());
    }

    @Override
    public void quit() {
        stopMachine(StopReason.quit("host-qmp-quit"));
    }

    /** SIGTERM, SIGINT or SIGHUP: end the VM as QEMU does, with status 0 and a SHUTDOWN event. */
    void terminateOnSignal() {
        stopMachine(StopReason.quit("host-signal"));
    }

    @Override
    public void powerdown() {
        Machine m;
        synchronized (lock) {
            m = machine;
        }
        events.emit("POWERDOWN", Map.of());
        if (m != null) {
            m.pmRegisters().pressPowerButton();
        }
    }

    @Override
    public void reset() {
        stopMachine(StopReason.reset("host-qmp-system-reset"));
    }

    private void stopMachine(StopReason reason) {
        Machine m;
        synchronized (lock) {
            m = machine;
            if (m == null && pendingStop == null) {
                pendingStop = reason;
            }
        }
        if (m != null) {
            m.vcpus().stop(reason);
        }
    }

    @Override
    public boolean balloon(long bytes) {
        VirtioBalloon b = currentBalloon();
        if (b == null) {
            return false;
        }
        b.setTarget(Math.max(0, ramBytes - Math.min(bytes, ramBytes)));
        return true;
    }

    @Override
    public long balloonActual() {
        VirtioBalloon b = currentBalloon();
        return b == null ? -1 : ramBytes - b.actualBytes();
    }

    private VirtioBalloon currentBalloon() {
        synchronized (lock) {
            return machine == null ? null : machine.balloon();
        }
    }

    @Override
    public List<VcpuInfo> cpus() {
        Machine m;
        synchronized (lock) {
            m = machine;
        }
        List<VcpuInfo> out = new ArrayList<>();
        if (m != null) {
            for (KvmVcpu v : m.vcpus().kvmVcpus()) {
                out.add(new VcpuInfo(v.id(), v.threadId()));
            }
        }
        return out;
    }
}
