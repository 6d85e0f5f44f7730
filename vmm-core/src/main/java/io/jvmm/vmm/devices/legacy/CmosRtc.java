package io.jvmm.vmm.devices.legacy;

import io.jvmm.vmm.bus.BusDevice;
import java.time.Clock;
import java.time.ZonedDateTime;

/**
 * The MC146818 RTC and CMOS RAM behind ports 0x70 (index) and 0x71 (data). The clock reads the
 * host's UTC time in BCD, 24-hour mode, never "update in progress"; other CMOS bytes are plain
 * storage. Linux reads the time at boot and the rtc_cmos driver probes the status registers.
 */
public final class CmosRtc implements BusDevice {
    public static final int BASE = 0x70, LENGTH = 2;
    private static final int SECONDS = 0x00, MINUTES = 0x02, HOURS = 0x04, WEEKDAY = 0x06, DAY = 0x07, MONTH = 0x08,
            YEAR = 0x09, STATUS_A = 0x0a, STATUS_B = 0x0b, STATUS_C = 0x0c, STATUS_D = 0x0d, CENTURY = 0x32;
    /** 32.768 kHz time base, 1024 Hz periodic rate: what firmware programs. */
    private static final int STATUS_A_DEFAULT = 0x26;
    /** 24-hour mode, BCD. */
    private static final int STATUS_B_DEFAULT = 0x02;
    /** Valid RAM and time: the battery is good. */
    private static final int STATUS_D_VRT = 0x80;

    private final Clock clock;
    private final byte[] ram = new byte[128];
    private int index;

    public CmosRtc(Clock clock) {
        this.clock = clock;
        ram[STATUS_A] = STATUS_A_DEFAULT;
        ram[STATUS_B] = STATUS_B_DEFAULT;
        ram[STATUS_D] = (byte) STATUS_D_VRT;
    }

    @Override
    public synchronized void read(long offset, byte[] data) {
        data[0] = offset == 0 ? (byte) 0xff : (byte) register(index);
    }

    @Override
    public synchronized void write(long offset, byte[] data) {
        if (offset == 0) {
            index = data[0] & 0x7f; // bit 7 is the NMI mask, not part of the index
        } else if (index != STATUS_C && index != STATUS_D) {
            ram[index] = data[0];
        }
    }

    private int register(int i) {
        boolean binary = (ram[STATUS_B] & 0x04) != 0;
        ZonedDateTime now = ZonedDateTime.now(clock);
        return switch (i) {
            case SECONDS -> encode(now.getSecond(), binary);
            case MINUTES -> encode(now.getMinute(), binary);
            case HOURS -> encode(now.getHour(), binary);
            case WEEKDAY -> encode(now.getDayOfWeek().getValue() % 7 + 1, binary);
            case DAY -> encode(now.getDayOfMonth(), binary);
            case MONTH -> encode(now.getMonthValue(), binary);
            case YEAR -> encode(now.getYear() % 100, binary);
            case CENTURY -> encode(now.getYear() / 100, binary);
            case STATUS_C -> 0; // no interrupt flags: alarms and periodic interrupts never fire
            default -> ram[i] & 0xff;
        };
    }

    static int encode(int value, boolean binary) {
        return binary ? value : ((value / 10) << 4) | (value % 10);
    }
}
