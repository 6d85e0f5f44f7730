package io.jvmm.vmm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Refuses a guest RAM size larger than the host's RAM: such a guest would only be killed later. */
final class HostMemory {
    private HostMemory() {}

    static void check(long guestBytes) throws HostException {
        long host = hostBytes();
        if (host > 0 && guestBytes > host) {
            throw new HostException(String.format("-m %dM: more than this host's %d MiB of memory",
                    guestBytes >> 20, host >> 20));
        }
    }

    static long hostBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) << 10;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Unknown: do not refuse.
        }
        return -1;
    }
}
