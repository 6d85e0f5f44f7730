package io.jvmm.vmm.cpu;

import io.jvmm.vmm.bus.Bus;
import io.jvmm.vmm.kvm.KvmVcpu;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The machine's vCPU threads and their shared run state: running, paused (every vCPU parked
 * outside KVM_RUN, so the guest does nothing), or stopped with a {@link StopReason}. The first
 * stop reason wins; later ones (another vCPU's, a QMP quit racing a power-off) are ignored.
 */
public final class VcpuSet {
    private final List<Vcpu> vcpus = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Object lock = new Object();
    private boolean pauseRequested;
    private int parked;
    private StopReason stopReason;

    public VcpuSet(List<KvmVcpu> kvmVcpus, Bus ports, Bus mmio) {
        for (KvmVcpu v : kvmVcpus) {
            vcpus.add(new Vcpu(v, ports, mmio, this));
        }
    }

    public List<KvmVcpu> kvmVcpus() {
        return vcpus.stream().map(Vcpu::kvm).toList();
    }

    public void start(boolean paused) {
        synchronized (lock) {
            pauseRequested = paused;
        }
        for (Vcpu v : vcpus) {
            Thread t = new Thread(v, "vcpu" + v.kvm().id());
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Parks every vCPU outside KVM_RUN and returns once they all are. */
    public void pause() {
        synchronized (lock) {
            if (stopReason != null) {
                return;
            }
            pauseRequested = true;
        }
        vcpus.forEach(v -> v.kvm().kick());
        synchronized (lock) {
            while (parked < vcpus.size() && stopReason == null) {
                try {
                    lock.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                // A vCPU that had not reached KVM_RUN when kicked needs the signal again.
                if (parked < vcpus.size()) {
                    vcpus.forEach(v -> v.kvm().kick());
                }
            }
        }
    }

    public void resume() {
        synchronized (lock) {
            pauseRequested = false;
            lock.notifyAll();
        }
    }

    public boolean isPaused() {
        synchronized (lock) {
            return pauseRequested;
        }
    }

    /** Ends the run with {@code reason} unless it already ended; kicks every vCPU out. */
    public void stop(StopReason reason) {
        synchronized (lock) {
            if (stopReason != null) {
                return;
            }
            stopReason = reason;
            lock.notifyAll();
        }
        vcpus.forEach(v -> v.kvm().kick());
    }

    /** Waits for the run to end and for the vCPU threads to leave KVM_RUN. */
    public StopReason awaitStop() throws InterruptedException {
        StopReason reason;
        synchronized (lock) {
            while (stopReason == null) {
                lock.wait();
            }
            reason = stopReason;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (Thread t : threads) {
            while (t.isAlive() && System.nanoTime() < deadline) {
                vcpus.forEach(v -> v.kvm().kick());
                t.join(20);
            }
        }
        ExitStatistics.print();
        return reason;
    }

    // Called by vCPU threads.

    StopReason stopReason() {
        synchronized (lock) {
            return stopReason;
        }
    }

    /** Blocks while paused. Returns false when the run has ended and the vCPU must leave. */
    boolean waitUntilRunnable() {
        synchronized (lock) {
            if (pauseRequested && stopReason == null) {
                parked++;
                lock.notifyAll();
                while (pauseRequested && stopReason == null) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                parked--;
            }
            return stopReason == null;
        }
    }
}
