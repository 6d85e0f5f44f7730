package io.jvmm.vmm.devices.legacy;

import io.jvmm.vmm.bus.BusDevice;
import io.jvmm.vmm.devices.InterruptLine;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;

/**
 * A 16550A UART (the PC's 8250 family): the register set Linux's 8250 driver uses, FIFO
 * enabled, modem lines always ready, loopback for the driver's probe. Transmission is instant,
 * so the transmitter is always empty. The interrupt line carries "receive data available" and
 * "transmitter empty" as enabled in IER.
 */
public final class Serial8250 implements BusDevice {
    private static final int RBR_THR = 0, IER = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;
    private static final int IER_RDI = 0x01, IER_THRI = 0x02;
    private static final int IIR_NONE = 0x01, IIR_THRI = 0x02, IIR_RDI = 0x04, IIR_FIFO_ENABLED = 0xc0;
    private static final int FCR_ENABLE = 0x01, FCR_CLEAR_RX = 0x02;
    private static final int LCR_DLAB = 0x80;
    private static final int LSR_DR = 0x01, LSR_THRE = 0x20, LSR_TEMT = 0x40;
    private static final int MCR_LOOP = 0x10;
    private static final int MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_RI = 0x40, MSR_DCD = 0x80;
    /** Bytes held from the host when the guest is not reading: a few pastes' worth. */
    private static final int RX_LIMIT = 4096;

    private final InterruptLine irq;
    private final OutputStream out;
    private final ArrayDeque<Byte> rx = new ArrayDeque<>();
    private int ier, lcr, mcr, scr, fcr;
    private int dll = 0x0c, dlm; // 9600 baud until the driver says otherwise
    private boolean thrEmptyPending;
    private boolean irqLevel;
    private boolean outputBroken;

    public Serial8250(InterruptLine irq, OutputStream out) {
        this.irq = irq;
        this.out = out;
    }

    /** Bytes from the host side (a terminal, socket or pty) for the guest to read. */
    public synchronized void receive(byte[] data, int length) {
        for (int i = 0; i < length && rx.size() < RX_LIMIT; i++) {
            rx.add(data[i]);
        }
        updateIrq();
    }

    @Override
    public synchronized void read(long offset, byte[] data) {
        int v = readRegister((int) offset);
        data[0] = (byte) v;
        for (int i = 1; i < data.length; i++) {
            data[i] = 0;
        }
    }

    @Override
    public synchronized void write(long offset, byte[] data) {
        writeRegister((int) offset, data[0] & 0xff);
    }

    private int readRegister(int reg) {
        switch (reg) {
            case RBR_THR:
                if ((lcr & LCR_DLAB) != 0) {
                    return dll;
                }
                Byte b = rx.poll();
                updateIrq();
                return b == null ? 0 : b & 0xff;
            case IER:
                return (lcr & LCR_DLAB) != 0 ? dlm : ier;
            case IIR_FCR: {
                int iir = interruptIdentity();
                if (iir == IIR_THRI) {
                    thrEmptyPending = false; // reading IIR acknowledges THRE (16550 datasheet)
                    updateIrq();
                }
                return iir | ((fcr & FCR_ENABLE) != 0 ? IIR_FIFO_ENABLED : 0);
            }
            case LCR:
                return lcr;
            case MCR:
                return mcr;
            case LSR:
                return LSR_THRE | LSR_TEMT | (rx.isEmpty() ? 0 : LSR_DR);
            case MSR:
                if ((mcr & MCR_LOOP) != 0) {
                    // Loopback: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD.
                    return ((mcr & 0x01) != 0 ? MSR_DSR : 0) | ((mcr & 0x02) != 0 ? MSR_CTS : 0)
                            | ((mcr & 0x04) != 0 ? MSR_RI : 0) | ((mcr & 0x08) != 0 ? MSR_DCD : 0);
                }
                return MSR_DCD | MSR_DSR | MSR_CTS;
            case SCR:
                return scr;
            default:
                return 0xff;
        }
    }

    private void writeRegister(int reg, int v) {
        switch (reg) {
            case RBR_THR -> {
                if ((lcr & LCR_DLAB) != 0) {
                    dll = v;
                } else if ((mcr & MCR_LOOP) != 0) {
                    if (rx.size() < RX_LIMIT) {
                        rx.add((byte) v);
                    }
                    thrEmptyPending = true;
                } else {
                    transmit(v);
                    thrEmptyPending = true; // sent at once: the holding register is empty again
                }
            }
            case IER -> {
                if ((lcr & LCR_DLAB) != 0) {
                    dlm = v;
                } else {
                    boolean thriEnabled = (v & IER_THRI) != 0 && (ier & IER_THRI) == 0;
                    ier = v & 0x0f;
                    if (thriEnabled) {
                        thrEmptyPending = true; // enabling THRI with THR empty interrupts at once
                    }
                }
            }
            case IIR_FCR -> {
                fcr = v & 0xc9;
                if ((v & FCR_CLEAR_RX) != 0) {
                    rx.clear();
                }
            }
            case LCR -> lcr = v;
            case MCR -> mcr = v & 0x1f;
            case SCR -> scr = v;
            default -> { }
        }
        updateIrq();
    }

    private int interruptIdentity() {
        if ((ier & IER_RDI) != 0 && !rx.isEmpty()) {
            return IIR_RDI;
        }
        if ((ier & IER_THRI) != 0 && thrEmptyPending) {
            return IIR_THRI;
        }
        return IIR_NONE;
    }

    private void updateIrq() {
        boolean level = interruptIdentity() != IIR_NONE;
        if (level != irqLevel) {
            irqLevel = level;
            irq.set(level);
        }
    }

    private void transmit(int v) {
        if (outputBroken) {
            return;
        }
        try {
            out.write(v);
        } catch (IOException e) {
            // A closed console (reader gone) must not stop the guest; its output is dropped.
            outputBroken = true;
        }
    }
}
