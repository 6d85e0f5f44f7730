package io.jvmm.vmm.devices.legacy;

import io.jvmm.vmm.bus.BusDevice;
import io.jvmm.vmm.devices.PowerControl;

/**
 * Just enough of the i8042 keyboard controller for reboot=k: Linux writes the "pulse reset
 * line" command 0xFE to the command port after waiting for an empty input buffer. There is no
 * keyboard; the FADT says so, so Linux does not probe for one.
 */
public final class I8042 implements BusDevice {
    /** The status/command port; the data port 0x60 is left unclaimed (reads float high). */
    public static final int COMMAND_PORT = 0x64;
    private static final int PULSE_RESET = 0xfe;
    private final PowerControl power;

    public I8042(PowerControl power) {
        this.power = power;
    }

    @Override
    public void read(long offset, byte[] data) {
        // Status 0: output buffer empty, input buffer empty. Data: nothing.
        java.util.Arrays.fill(data, (byte) 0);
    }

    @Override
    public void write(long offset, byte[] data) {
        if ((data[0] & 0xff) == PULSE_RESET) {
            power.reset();
        }
    }
}
