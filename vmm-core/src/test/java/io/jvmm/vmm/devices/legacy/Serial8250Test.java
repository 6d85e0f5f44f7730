package io.jvmm.vmm.devices.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class Serial8250Test {
    private final List<Boolean> irq = new ArrayList<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Serial8250 uart = new Serial8250(irq::add, out);

    private int read(int reg) {
        byte[] d = new byte[1];
        uart.read(reg, d);
        return d[0] & 0xff;
    }

    private void write(int reg, int v) {
        uart.write(reg, new byte[] {(byte) v});
    }

    @Test
    void transmitsAndIsAlwaysReadyToTransmit() {
        write(0, 'h');
        write(0, 'i');
        assertThat(out.toString()).isEqualTo("hi");
        assertThat(read(5) & 0x60).isEqualTo(0x60);
    }

    @Test
    void thrEmptyInterruptWhenEnabledAndAcknowledgedByReadingIir() {
        write(1, 0x02); // IER: THRI
        assertThat(irq).containsExactly(true);
        assertThat(read(2) & 0x0f).isEqualTo(0x02);
        assertThat(irq).containsExactly(true, false);
        assertThat(read(2) & 0x0f).isEqualTo(0x01);
        write(0, 'x');
        assertThat(irq).containsExactly(true, false, true);
    }

    @Test
    void receivedBytesRaiseTheInterruptUntilRead() {
        write(1, 0x01); // IER: RDI
        uart.receive(new byte[] {'a', 'b'}, 2);
        assertThat(read(5) & 0x01).isEqualTo(1);
        assertThat(read(2) & 0x0f).isEqualTo(0x04);
        assertThat(read(0)).isEqualTo('a');
        assertThat(read(0)).isEqualTo('b');
        assertThat(read(5) & 0x01).isZero();
        assertThat(irq).containsExactly(true, false);
    }

    @Test
    void divisorLatchAndLoopbackForTheDriversProbe() {
        write(3, 0x80);
        write(0, 0x01);
        write(1, 0x00);
        assertThat(read(0)).isEqualTo(1);
        write(3, 0x03);
        write(4, 0x10 | 0x0a); // loopback, RTS, OUT2
        assertThat(read(6) & 0xf0).isEqualTo(0x90);
        write(2, 0x01); // FIFO on: a 16550A reports it in IIR bits 6-7
        assertThat(read(2) & 0xc0).isEqualTo(0xc0);
    }
}
