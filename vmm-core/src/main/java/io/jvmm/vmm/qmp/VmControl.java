package io.jvmm.vmm.qmp;

import java.util.List;

/** What QMP commands may do to the VM. Implementations return once the change is in effect. */
public interface VmControl {
    RunState runState();

    /** Pauses every vCPU (QMP stop). */
    void stop();

    /** Resumes the vCPUs (QMP cont). */
    void cont();

    /** Ends the VMM (QMP quit): the process exits after the reply is sent. */
    void quit();

    /** Presses the ACPI power button (QMP system_powerdown). */
    void powerdown();

    /** Resets the machine (QMP system_reset). */
    void reset();

    List<VcpuInfo> cpus();

    /**
     * Asks the guest to keep {@code bytes} of RAM and give the rest to the balloon (QMP
     * balloon). Returns false when the VM has no balloon device or its driver is not running.
     */
    default boolean balloon(long bytes) {
        return false;
    }

    /** The RAM the guest keeps now, in bytes (query-balloon's actual); -1 without an active balloon. */
    default long balloonActual() {
        return -1;
    }

    /** A vCPU as query-cpus-fast describes it. */
    record VcpuInfo(int index, int threadId) {}
}
