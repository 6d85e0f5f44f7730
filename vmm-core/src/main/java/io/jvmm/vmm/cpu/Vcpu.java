package io.jvmm.vmm.cpu;

import io.jvmm.vmm.StartupTrace;
import io.jvmm.vmm.bus.Bus;
import io.jvmm.vmm.kvm.KvmRegs;
import io.jvmm.vmm.kvm.KvmRun;
import io.jvmm.vmm.kvm.KvmVcpu;
import java.lang.invoke.VarHandle;

/** One vCPU's thread: KVM_RUN, then the exit dispatched to the port or MMIO bus, again. */
final class Vcpu implements Runnable {
    private final KvmVcpu kvm;
    private final Bus ports;
    private final Bus mmio;
    private final VcpuSet set;

    Vcpu(KvmVcpu kvm, Bus ports, Bus mmio, VcpuSet set) {
        this.kvm = kvm;
        this.ports = ports;
        this.mmio = mmio;
        this.set = set;
    }

    KvmVcpu kvm() {
        return kvm;
    }

    @Override
    public void run() {
        try {
            kvm.bindToCurrentThread();
            if (StartupTrace.enabled()) {
                StartupTrace.mark("vCPU " + kvm.id() + " bound, entering KVM_RUN");
            }
            loop();
        } catch (RuntimeException | Error e) {
            set.stop(StopReason.failure("vCPU " + kvm.id() + ": " + describe(e)));
        }
    }

    private static String describe(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private void loop() {
        KvmRun run = kvm.runArea();
        while (true) {
            // Clear the kick before looking at the run state, and fence, so that a pause or
            // stop requested after the look still finds KVM_RUN returning at once.
            kvm.clearKick();
            VarHandle.fullFence();
            if (!set.waitUntilRunnable()) {
                return;
            }
            if (!kvm.run()) {
                continue; // kicked: look at the run state again
            }
            int reason = run.exitReason();
            switch (reason) {
                case KvmRun.EXIT_IO -> portIo(run);
                case KvmRun.EXIT_MMIO -> mmio(run);
                case KvmRun.EXIT_HLT, KvmRun.EXIT_INTR, KvmRun.EXIT_IRQ_WINDOW_OPEN -> { }
                case KvmRun.EXIT_SHUTDOWN -> fail("the guest triple-faulted (KVM_EXIT_SHUTDOWN)");
                case KvmRun.EXIT_SYSTEM_EVENT -> systemEvent(run.systemEventType());
                case KvmRun.EXIT_FAIL_ENTRY -> fail(String.format("KVM could not enter the guest (KVM_EXIT_FAIL_ENTRY, hardware reason 0x%x)",
                        run.failEntryReason()));
                case KvmRun.EXIT_INTERNAL_ERROR -> fail("KVM internal error (KVM_EXIT_INTERNAL_ERROR, suberror " + run.internalErrorSuberror() + ")");
                default -> fail("unhandled " + KvmRun.exitName(reason));
            }
        }
    }

    private void portIo(KvmRun run) {
        byte[] data = new byte[run.ioSize()];
        int port = run.ioPort();
        if (ExitStatistics.ENABLED) {
            ExitStatistics.count(run.ioIsOut() ? "out" : "in", port);
        }
        for (int i = 0, n = run.ioCount(); i < n; i++) {
            if (run.ioIsOut()) {
                run.ioData(i, data, false);
                ports.write(port, data);
            } else {
                ports.read(port, data);
                run.ioData(i, data, true);
            }
        }
    }

    private void mmio(KvmRun run) {
        byte[] data = new byte[run.mmioLength()];
        long address = run.mmioAddress();
        if (ExitStatistics.ENABLED) {
            ExitStatistics.count(run.mmioIsWrite() ? "mmio-write" : "mmio-read", address & ~0xfffL);
        }
        if (run.mmioIsWrite()) {
            run.mmioData(data, false);
            mmio.write(address, data);
        } else {
            mmio.read(address, data);
            run.mmioData(data, true);
        }
    }

    private void systemEvent(int type) {
        switch (type) {
            case KvmRun.SYSTEM_EVENT_SHUTDOWN -> set.stop(StopReason.powerOff());
            case KvmRun.SYSTEM_EVENT_RESET -> set.stop(StopReason.reset("guest-reset"));
            default -> fail("the guest crashed (KVM system event " + type + ")");
        }
    }

    private void fail(String what) {
        String where;
        try {
            KvmRegs regs = kvm.regs();
            where = String.format(" at RIP 0x%x", regs.get(KvmRegs.Reg.RIP));
        } catch (RuntimeException e) {
            where = "";
        }
        set.stop(StopReason.failure("vCPU " + kvm.id() + ": " + what + where));
    }
}
