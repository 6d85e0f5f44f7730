package io.jvmm.vmm.chardev;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A listening UNIX socket at a path (QEMU's "unix:PATH,server" chardev, which QMP uses too).
 * It is bound under a temporary name and renamed into place: a client that sees the path must
 * find a listening socket, and Java binds and listens in two steps, between which a connect
 * would be refused.
 */
public final class ListeningSocket {
    private ListeningSocket() {}

    public static ServerSocketChannel open(Path path) throws IOException {
        Path staging = path.resolveSibling(path.getFileName() + ".jvmm-" + ProcessHandle.current().pid());
        Files.deleteIfExists(staging);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(staging));
            Files.move(staging, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            server.close();
            Files.deleteIfExists(staging);
            throw e;
        }
        return server;
    }
}
