package io.jvmm.vmm.virtio;

/**
 * What every device type states the same way: its virtio ID, PCI class, name, and the number
 * and size of its queues. Devices extend this and keep only what is theirs.
 */
public abstract class DeviceIdentity implements VirtioDevice {
    private final int type, pciClass, queueCount, queueSize;
    private final String id;

    protected DeviceIdentity(int type, int pciClass, String id, int queueCount, int queueSize) {
        this.type = type;
        this.pciClass = pciClass;
        this.id = id;
        this.queueCount = queueCount;
        this.queueSize = queueSize;
    }

    @Override
    public final int type() {
        return type;
    }

    @Override
    public final int pciClass() {
        return pciClass;
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final int queueCount() {
        return queueCount;
    }

    @Override
    public int queueMaxSize(int index) {
        return queueSize;
    }
}
