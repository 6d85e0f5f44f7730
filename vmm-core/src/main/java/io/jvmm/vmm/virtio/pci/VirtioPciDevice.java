package io.jvmm.vmm.virtio.pci;

import io.jvmm.vmm.bus.BusDevice;
import io.jvmm.vmm.bus.Bytes;
import io.jvmm.vmm.host.EventFd;
import io.jvmm.vmm.host.EventLoop;
import io.jvmm.vmm.memory.GuestMemory;
import io.jvmm.vmm.memory.GuestMemoryException;
import io.jvmm.vmm.pci.MsiSink;
import io.jvmm.vmm.pci.MsixCapability;
import io.jvmm.vmm.pci.PciEndpoint;
import io.jvmm.vmm.virtio.DeviceRuntime;
import io.jvmm.vmm.virtio.GuestError;
import io.jvmm.vmm.virtio.VirtioDevice;
import io.jvmm.vmm.virtio.VirtioFeatures;
import io.jvmm.vmm.virtio.Virtqueue;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The virtio-pci modern transport (virtio 1.2, 4.1): a PCI function whose BAR 0 holds the
 * common configuration, ISR, device configuration and notification areas and the MSI-X table,
 * each announced by a vendor capability. Kicks arrive as eventfds (signalled by KVM itself when
 * an ioeventfd is registered) on the device's I/O thread; interrupts leave as MSI-X messages.
 */
public final class VirtioPciDevice extends PciEndpoint {
    private static final int VENDOR_REDHAT_QUMRANET = 0x1af4, MODERN_DEVICE_BASE = 0x1040, SUBSYSTEM_QEMU = 0x1100;
    static final int COMMON = 0x0000, ISR = 0x1000, DEVICE_CONFIG = 0x2000, NOTIFY = 0x3000,
            MSIX_TABLE = 0x4000, MSIX_PBA = 0x5000, BAR_SIZE = 0x8000, AREA = 0x1000;
    static final int NOTIFY_MULTIPLIER = 4, NO_VECTOR = 0xffff;
    private static final int CAP_COMMON = 1, CAP_NOTIFY = 2, CAP_ISR = 3, CAP_DEVICE = 4, VENDOR_CAPABILITY = 0x09;
    static final int ACKNOWLEDGE = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8, NEEDS_RESET = 0x40, FAILED = 0x80;
    private static final long TRANSPORT_FEATURES = VirtioFeatures.VERSION_1 | VirtioFeatures.EVENT_IDX
            | VirtioFeatures.INDIRECT_DESC;

    private final VirtioDevice device;
    private final GuestMemory memory;
    private final EventLoop loop;
    private final IoEventRegistry ioEvents;
    private final IrqFdRegistry irqFds;
    private final MsixCapability msix;
    private final long offered;
    private final QueueConfig[] queues;
    private final Object lock = new Object();
    private final AtomicInteger isr = new AtomicInteger();
    private int deviceFeatureSelect, driverFeatureSelect, queueSelect, status, configGeneration;
    private int configVector = NO_VECTOR;
    private long driverFeatures;
    private volatile boolean needsReset;
    private volatile Runtime active;
    private long notifyBase = -1;

    /** What the driver programmed for one queue. */
    private static final class QueueConfig {
        final int maxSize;
        int size, vector = NO_VECTOR;
        boolean enabled;
        long desc, driver, device;
        EventFd kick;
        /** The call eventfd a vhost device signals; bound to the vector by irqfd, or watched here. */
        EventFd call;
        IrqFdRegistry.Binding callBinding;
        boolean callWatched;

        QueueConfig(int maxSize) {
            this.maxSize = maxSize;
            this.size = maxSize;
        }
    }

    public VirtioPciDevice(VirtioDevice device, GuestMemory memory, EventLoop loop, MsiSink msi, IoEventRegistry ioEvents) {
        this(device, memory, loop, msi, ioEvents, null);
    }

    /** With {@code irqFds} (may be null), call eventfds interrupt the guest without passing through the VMM. */
    public VirtioPciDevice(VirtioDevice device, GuestMemory memory, EventLoop loop, MsiSink msi, IoEventRegistry ioEvents,
                           IrqFdRegistry irqFds) {
        super(VENDOR_REDHAT_QUMRANET, MODERN_DEVICE_BASE + device.type(), device.pciClass(), 1);
        this.device = device;
        this.memory = memory;
        this.loop = loop;
        this.ioEvents = ioEvents;
        this.irqFds = irqFds;
        this.offered = device.features() | TRANSPORT_FEATURES;
        set(SUBSYSTEM_VENDOR, 2, VENDOR_REDHAT_QUMRANET);
        set(SUBSYSTEM_ID, 2, SUBSYSTEM_QEMU);
        queues = new QueueConfig[device.queueCount()];
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new QueueConfig(device.queueMaxSize(i));
        }
        addVirtioCapability(CAP_COMMON, COMMON, 0x38, 16);
        addVirtioCapability(CAP_ISR, ISR, 4, 16);
        addVirtioCapability(CAP_DEVICE, DEVICE_CONFIG, AREA, 16);
        int notify = addVirtioCapability(CAP_NOTIFY, NOTIFY, AREA, 20);
        set(notify + 16, 4, NOTIFY_MULTIPLIER);
        msix = new MsixCapability(this, queues.length + 1, 0, MSIX_TABLE, MSIX_PBA, msi);
        msix.listener(this::vectorChanged);
        addMemoryBar(0, BAR_SIZE, false, new Bar0());
    }

    private int addVirtioCapability(int type, int offset, int length, int capLength) {
        int cap = addCapability(VENDOR_CAPABILITY, capLength);
        set(cap + 2, 1, capLength);
        set(cap + 3, 1, type);
        set(cap + 4, 1, 0); // BAR 0
        set(cap + 8, 4, offset);
        set(cap + 12, 4, length);
        return cap;
    }

    /** The size of BAR 0, the same for every device. */
    public static long barSizeOf() {
        return BAR_SIZE;
    }

    public VirtioDevice device() {
        return device;
    }

    public MsixCapability msix() {
        return msix;
    }

    /** The BAR moved: the queues' notification addresses move with it. */
    public void barMoved(int index, long address) {
        synchronized (lock) {
            long base = address < 0 ? -1 : address + NOTIFY;
            if (base == notifyBase) {
                return;
            }
            forEachKick((q, kick) -> ioEvents.unregister(notifyBase + (long) q * NOTIFY_MULTIPLIER, 2, kick), notifyBase);
            notifyBase = base;
            forEachKick((q, kick) -> ioEvents.register(notifyBase + (long) q * NOTIFY_MULTIPLIER, 2, kick), notifyBase);
        }
    }

    private interface KickAction {
        void apply(int queue, EventFd kick);
    }

    private void forEachKick(KickAction action, long base) {
        if (base < 0) {
            return;
        }
        for (int q = 0; q < queues.length; q++) {
            if (queues[q].kick != null) {
                action.apply(q, queues[q].kick);
            }
        }
    }

    @Override
    protected void configWritten(int offset, int length) {
        super.configWritten(offset, length);
        msix.configWritten(offset, length);
    }

    private final class Bar0 implements BusDevice {
        @Override
        public void read(long offset, byte[] data) {
            int area = (int) (offset & ~(AREA - 1)), at = (int) (offset & (AREA - 1));
            switch (area) {
                case COMMON -> Bytes.put(data, readCommon(at, data.length));
                case ISR -> Bytes.put(data, at == 0 ? isr.getAndSet(0) : 0);
                case DEVICE_CONFIG -> device.readConfig(at, data);
                case MSIX_TABLE -> msix.tableRegion().read(at, data);
                case MSIX_PBA -> msix.pbaRegion().read(at, data);
                default -> Arrays.fill(data, (byte) 0);
            }
        }

        @Override
        public void write(long offset, byte[] data) {
            int area = (int) (offset & ~(AREA - 1)), at = (int) (offset & (AREA - 1));
            switch (area) {
                case COMMON -> writeCommon(at, data.length, Bytes.get(data));
                case DEVICE_CONFIG -> device.writeConfig(at, data);
                case NOTIFY -> kicked(at / NOTIFY_MULTIPLIER);
                case MSIX_TABLE -> msix.tableRegion().write(at, data);
                default -> { }
            }
        }
    }

    /** A notification that KVM did not turn into an eventfd signal itself (no ioeventfd, or another width). */
    private void kicked(int queue) {
        EventFd kick;
        synchronized (lock) {
            kick = queue < queues.length ? queues[queue].kick : null;
        }
        if (kick != null) {
            kick.signal();
        }
    }

    private long readCommon(int offset, int width) {
        synchronized (lock) {
            QueueConfig q = queueSelect < queues.length ? queues[queueSelect] : null;
            long v = switch (offset & ~3) {
                case 0x00 -> deviceFeatureSelect;
                case 0x04 -> deviceFeatureSelect < 2 ? (offered >>> (32 * deviceFeatureSelect)) & 0xffff_ffffL : 0;
                case 0x08 -> driverFeatureSelect;
                case 0x0c -> driverFeatureSelect < 2 ? (driverFeatures >>> (32 * driverFeatureSelect)) & 0xffff_ffffL : 0;
                case 0x10 -> configVector | ((long) queues.length << 16);
                case 0x14 -> (status | (needsReset ? NEEDS_RESET : 0)) | ((long) configGeneration << 8) | ((long) queueSelect << 16);
                case 0x18 -> q == null ? 0 : q.size | ((long) q.vector << 16);
                case 0x1c -> q == null ? 0 : (q.enabled ? 1 : 0) | ((long) queueSelect << 16);
                case 0x20 -> q == null ? 0 : q.desc;
                case 0x24 -> q == null ? 0 : q.desc >>> 32;
                case 0x28 -> q == null ? 0 : q.driver;
                case 0x2c -> q == null ? 0 : q.driver >>> 32;
                case 0x30 -> q == null ? 0 : q.device;
                case 0x34 -> q == null ? 0 : q.device >>> 32;
                default -> 0;
            };
            // The queue address fields hold all 64 bits, so an 8-byte read of one returns it whole.
            return (v >>> (8 * (offset & 3))) & (width >= 8 ? -1L : (1L << (8 * width)) - 1);
        }
    }

    private void writeCommon(int offset, int width, long value) {
        boolean activate = false, reset = false;
        synchronized (lock) {
            QueueConfig q = queueSelect < queues.length ? queues[queueSelect] : null;
            boolean queueWritable = q != null && (status & DRIVER_OK) == 0;
            switch (offset) {
                case 0x00 -> deviceFeatureSelect = (int) value;
                case 0x08 -> driverFeatureSelect = (int) value;
                case 0x0c -> {
                    if (driverFeatureSelect < 2 && (status & FEATURES_OK) == 0) {
                        long mask = 0xffff_ffffL << (32 * driverFeatureSelect);
                        driverFeatures = (driverFeatures & ~mask) | ((value & 0xffff_ffffL) << (32 * driverFeatureSelect));
                    }
                }
                case 0x10 -> configVector = vector(value);
                case 0x14 -> {
                    int s = (int) value & 0xff;
                    if (s == 0) {
                        reset = true;
                    } else {
                        if ((s & FEATURES_OK) != 0 && (status & FEATURES_OK) == 0 && !featuresAcceptable()) {
                            s &= ~FEATURES_OK;
                        }
                        activate = (s & DRIVER_OK) != 0 && (status & DRIVER_OK) == 0 && (s & FEATURES_OK) != 0;
                        status = s;
                    }
                }
                case 0x16 -> queueSelect = (int) value & 0xffff;
                case 0x18 -> {
                    if (queueWritable) {
                        q.size = (int) value & 0xffff;
                    }
                }
                case 0x1a -> {
                    if (q != null) {
                        q.vector = vector(value);
                        if (q.call != null) {
                            routeCall(q);
                        }
                    }
                }
                case 0x1c -> {
                    if (queueWritable && (value & 1) != 0) {
                        q.enabled = true;
                    }
                }
                case 0x20, 0x24, 0x28, 0x2c, 0x30, 0x34 -> {
                    if (queueWritable) {
                        setQueueAddress(q, offset, width, value);
                    }
                }
                default -> { }
            }
        }
        if (reset) {
            reset();
        } else if (activate) {
            activate();
        }
    }

    private int vector(long value) {
        int v = (int) value & 0xffff;
        return v < msix.vectors() ? v : NO_VECTOR;
    }

    private static void setQueueAddress(QueueConfig q, int offset, int width, long value) {
        int field = (offset - 0x20) / 8;
        boolean high = (offset & 4) != 0;
        long current = field == 0 ? q.desc : field == 1 ? q.driver : q.device;
        long updated = width == 8 ? value
                : high ? (current & 0xffff_ffffL) | (value << 32) : (current & ~0xffff_ffffL) | (value & 0xffff_ffffL);
        switch (field) {
            case 0 -> q.desc = updated;
            case 1 -> q.driver = updated;
            default -> q.device = updated;
        }
    }

    private boolean featuresAcceptable() {
        return (driverFeatures & ~offered) == 0 && VirtioFeatures.has(driverFeatures, VirtioFeatures.VERSION_1);
    }

    private void activate() {
        Runtime runtime;
        synchronized (lock) {
            runtime = new Runtime(driverFeatures);
            for (int i = 0; i < queues.length; i++) {
                QueueConfig q = queues[i];
                if (!q.enabled) {
                    continue;
                }
                try {
                    runtime.queues[i] = new Virtqueue(memory, i, q.size, q.desc, q.driver, q.device,
                            VirtioFeatures.has(driverFeatures, VirtioFeatures.EVENT_IDX),
                            VirtioFeatures.has(driverFeatures, VirtioFeatures.INDIRECT_DESC));
                } catch (GuestError e) {
                    runtime.fail(e.getMessage());
                    return;
                }
                if (q.size > q.maxSize) {
                    runtime.fail("queue " + i + " size " + q.size + " exceeds the device's maximum " + q.maxSize);
                    return;
                }
                q.kick = EventFd.create();
                int index = i;
                loop.watch(q.kick, () -> runtime.kicked(index));
                if (notifyBase >= 0) {
                    ioEvents.register(notifyBase + (long) i * NOTIFY_MULTIPLIER, 2, q.kick);
                }
            }
            active = runtime;
        }
        loop.executeAndWait(() -> {
            runtime.guarded(() -> device.activate(runtime));
            for (int i = 0; i < queues.length; i++) {
                if (runtime.queues[i] != null) {
                    runtime.kicked(i);
                }
            }
        });
    }

    private void reset() {
        Runtime runtime;
        synchronized (lock) {
            runtime = active;
            active = null;
        }
        if (runtime != null) {
            runtime.stopped = true;
            loop.executeAndWait(device::reset);
        }
        synchronized (lock) {
            for (int i = 0; i < queues.length; i++) {
                QueueConfig q = queues[i];
                releaseCall(q);
                if (q.kick != null) {
                    loop.unwatch(q.kick);
                    if (notifyBase >= 0) {
                        ioEvents.unregister(notifyBase + (long) i * NOTIFY_MULTIPLIER, 2, q.kick);
                    }
                    q.kick.close();
                }
                queues[i] = new QueueConfig(q.maxSize);
            }
            status = 0;
            needsReset = false;
            driverFeatures = 0;
            deviceFeatureSelect = driverFeatureSelect = queueSelect = 0;
            configVector = NO_VECTOR;
            configGeneration++;
            isr.set(0);
        }
    }

    /** The machine is going away: stop the device and release its descriptors. */
    public void close() {
        reset();
        device.close();
    }

    /** An MSI-X vector's message or mask changed: call eventfds on it follow. */
    private void vectorChanged(int vector) {
        synchronized (lock) {
            for (QueueConfig q : queues) {
                if (q.call != null && q.vector == vector) {
                    routeCall(q);
                }
            }
        }
    }

    /**
     * Points queue {@code q}'s call eventfd at its vector: through KVM (irqfd) while the vector
     * may fire, else through this loop, which fires the vector here (held pending while masked).
     */
    private void routeCall(QueueConfig q) {
        long[] message = q.vector == NO_VECTOR ? null : msix.message(q.vector);
        if (message != null && irqFds != null) {
            if (q.callWatched) {
                loop.unwatch(q.call);
                q.callWatched = false;
            }
            if (q.callBinding == null) {
                q.callBinding = irqFds.bind(q.call, message[0], (int) message[1]);
            } else {
                q.callBinding.update(message[0], (int) message[1]);
            }
        } else {
            if (q.callBinding != null) {
                q.callBinding.close();
                q.callBinding = null;
            }
            if (!q.callWatched) {
                loop.watch(q.call, () -> callSignalled(q));
                q.callWatched = true;
            }
        }
    }

    private void callSignalled(QueueConfig q) {
        int vector;
        synchronized (lock) {
            vector = q.vector;
        }
        isr.getAndUpdate(v -> v | 1);
        if (vector != NO_VECTOR) {
            msix.fire(vector);
        }
    }

    private void releaseCall(QueueConfig q) {
        if (q.call == null) {
            return;
        }
        if (q.callBinding != null) {
            q.callBinding.close();
        }
        if (q.callWatched) {
            loop.unwatch(q.call);
        }
        q.call.close();
        q.call = null;
    }

    /** The device's view of itself while DRIVER_OK holds. */
    private final class Runtime implements DeviceRuntime {
        final Virtqueue[] queues = new Virtqueue[VirtioPciDevice.this.queues.length];
        final long features;
        volatile boolean stopped;

        Runtime(long features) {
            this.features = features;
        }

        void kicked(int index) {
            if (!stopped && !needsReset) {
                guarded(() -> device.queueNotified(index));
            }
        }

        void guarded(Runnable r) {
            try {
                r.run();
            } catch (GuestError | GuestMemoryException e) {
                fail(e.getMessage());
            }
        }

        @Override
        public GuestMemory memory() {
            return memory;
        }

        @Override
        public Virtqueue queue(int index) {
            return index < queues.length ? queues[index] : null;
        }

        @Override
        public long features() {
            return features;
        }

        @Override
        public EventLoop loop() {
            return loop;
        }

        @Override
        public void notifyQueue(int index) {
            Virtqueue q = queues[index];
            if (stopped || q == null || !q.needsInterrupt()) {
                return;
            }
            isr.getAndUpdate(v -> v | 1);
            int vector;
            synchronized (lock) {
                vector = VirtioPciDevice.this.queues[index].vector;
            }
            if (vector != NO_VECTOR) {
                msix.fire(vector);
            }
        }

        @Override
        public EventFd takeKick(int index) {
            synchronized (lock) {
                EventFd kick = VirtioPciDevice.this.queues[index].kick;
                if (kick != null) {
                    loop.unwatch(kick);
                }
                return kick;
            }
        }

        @Override
        public EventFd callFd(int index) {
            synchronized (lock) {
                QueueConfig q = VirtioPciDevice.this.queues[index];
                if (q.call == null) {
                    q.call = EventFd.create();
                    routeCall(q);
                }
                return q.call;
            }
        }

        @Override
        public void notifyConfig() {
            int vector;
            synchronized (lock) {
                configGeneration++;
                vector = configVector;
            }
            isr.getAndUpdate(v -> v | 2);
            if (vector != NO_VECTOR) {
                msix.fire(vector);
            }
        }

        @Override
        public void fail(String reason) {
            if (stopped || needsReset) {
                return;
            }
            needsReset = true;
            System.err.println("jvmm: virtio device '" + device.id() + "': " + reason
                    + "; the device stops until the guest resets it");
            notifyConfig();
        }
    }
}
