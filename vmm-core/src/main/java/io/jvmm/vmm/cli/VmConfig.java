package io.jvmm.vmm.cli;

import java.nio.file.Path;
import java.util.List;

/** Everything the command line says about the VM, checked for form (not yet for content). */
public record VmConfig(
        long memoryBytes,
        int cpus,
        Path kernel,
        Path initrd,
        String append,
        SerialSpec serial,
        Path qmpSocket,
        String name,
        Path pidfile,
        boolean daemonize,
        boolean noReboot,
        boolean startPaused,
        List<DeviceSpec> devices,
        /** -sandbox: the seccomp filter (on unless -sandbox off). */
        boolean seccomp,
        /** -run-with user= or -runas: who the VMM runs as once the machine is built; null: unchanged. */
        String runAs) {}
