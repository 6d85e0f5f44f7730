package io.jvmm.vmm.qmp;

import java.util.Map;

/** Where the VM reports QMP events (STOP, RESUME, SHUTDOWN, POWERDOWN, RESET). */
public interface QmpEvents {
    QmpEvents NONE = (name, data) -> { };

    void emit(String name, Map<String, Object> data);
}
