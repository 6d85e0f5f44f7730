package io.jvmm.vmm.devices;

/**
 * An interrupt request line into the machine's interrupt controllers. Devices drive its level;
 * whether the controller takes edges or levels is the controller's business.
 */
public interface InterruptLine {
    void set(boolean asserted);
}
