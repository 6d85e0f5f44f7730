package io.jvmm.vmm.virtio.console;

import io.jvmm.vmm.virtio.DescriptorChain;
import io.jvmm.vmm.virtio.DeviceRuntime;
import io.jvmm.vmm.virtio.DeviceIdentity;
import io.jvmm.vmm.virtio.Virtqueue;
import java.io.UncheckedIOException;

/**
 * virtio-serial with one port, the console (virtio 1.2, 5.3, without MULTIPORT): the guest's
 * hvc0. Queue 0 carries host input to the guest, queue 1 the guest's output to the host.
 */
public final class VirtioConsole extends DeviceIdentity {
    private static final int RECEIVE = 0, TRANSMIT = 1, QUEUE_SIZE = 256, CLASS_COMMUNICATION_OTHER = 0x078000;
    private static final int MAX_CHUNK = 64 * 1024;
    private final ConsolePort port;
    private DeviceRuntime runtime;

    /** {@code port} null: a virtio-serial with no virtconsole, whose output goes nowhere. */
    public VirtioConsole(String id, ConsolePort port) {
        super(3, CLASS_COMMUNICATION_OTHER, id, 2, QUEUE_SIZE);
        this.port = port;
    }

    @Override
    public long features() {
        return 0;
    }

    @Override
    public void readConfig(int offset, byte[] data) {
        // cols, rows (0: unknown), max_nr_ports = 1, emerg_wr
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (offset + i == 4 ? 1 : 0);
        }
    }

    @Override
    public void activate(DeviceRuntime runtime) {
        this.runtime = runtime;
        if (port != null) {
            port.onInput(() -> runtime.loop().execute(() -> queueNotified(RECEIVE)));
        }
    }

    @Override
    public void reset() {
        if (port != null) {
            port.onInput(() -> { });
        }
        runtime = null;
    }

    @Override
    public void queueNotified(int index) {
        DeviceRuntime rt = runtime;
        if (rt == null) {
            return;
        }
        if (index == TRANSMIT) {
            transmit(rt, rt.queue(TRANSMIT));
        } else {
            receive(rt, rt.queue(RECEIVE));
        }
    }

    private void transmit(DeviceRuntime rt, Virtqueue q) {
        if (q == null) {
            return;
        }
        boolean any = false;
        DescriptorChain c;
        while ((c = q.pop()) != null) {
            byte[] data = c.readBytes(rt.memory(), MAX_CHUNK);
            try {
                if (port != null) {
                    port.write(data);
                }
            } catch (UncheckedIOException e) {
                // The host side went away; the guest's output is dropped as on a serial line.
            }
            q.push(c.head(), 0);
            any = true;
        }
        if (any) {
            rt.notifyQueue(TRANSMIT);
        }
    }

    private void receive(DeviceRuntime rt, Virtqueue q) {
        if (q == null || port == null) {
            return;
        }
        boolean any = false;
        while (port.hasInput()) {
            DescriptorChain c = q.pop();
            if (c == null) {
                break;
            }
            byte[] data = port.take((int) Math.min(MAX_CHUNK, c.writableLength()));
            q.push(c.head(), c.writeBytes(rt.memory(), data, 0, data.length));
            any = true;
        }
        if (any) {
            rt.notifyQueue(RECEIVE);
        }
    }
}
