package io.jvmm.vmm.devices;

/** What a device may ask of the machine on the guest's behalf: power off or reset it. */
public interface PowerControl {
    void powerOff();

    void reset();
}
