package io.jvmm.vmm.confine;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A JVM under jvmm's filter, run as a child process by {@link SeccompTest} (and by the syscall
 * census as its control): installs the filter as jvmm does, prints what /proc says of it, then
 * does what its argument says.
 */
public final class SeccompProbe {
    public static void main(String[] args) throws Exception {
        Path socket = Files.createTempDirectory("probe").resolve("s"); // jvmm makes no directories
        boolean census = args[0].equals("census-control");
        Seccomp.install(VmmSyscallFilter.program(ProcessHandle.current().pid(),
                census ? VmmSyscallFilter.RET_LOG : VmmSyscallFilter.RET_KILL_PROCESS));
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("NoNewPrivs") || line.startsWith("Seccomp:")) {
                System.out.println(line.replace('\t', ' '));
            }
        }
        System.out.flush();
        switch (args[0]) {
            case "threads" -> {
                Thread t = new Thread(() -> System.out.println("thread ran"));
                t.start();
                t.join();
                try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                    server.bind(UnixDomainSocketAddress.of(socket));
                    System.out.println("unix socket bound");
                }
                try {
                    DatagramChannel.open(StandardProtocolFamily.INET).close();
                    System.out.println("inet socket opened");
                } catch (java.io.IOException e) {
                    System.out.println("inet socket refused: " + e.getMessage());
                }
            }
            case "exec" -> {
                System.out.println("starting /bin/true");
                System.out.flush();
                Process p = new ProcessBuilder("/bin/true").start();
                System.out.println("exec worked: " + p.waitFor());
            }
            case "census-control" -> {
                // A call the filter refuses, logged and let through: what the census must see.
                Files.createDirectory(socket.resolveSibling("census-control"));
                System.out.println("census control: mkdir done");
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.flush();
    }
}
