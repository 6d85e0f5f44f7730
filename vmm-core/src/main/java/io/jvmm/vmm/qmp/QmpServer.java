package io.jvmm.vmm.qmp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvmm.vmm.chardev.ListeningSocket;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * QMP on a listening UNIX socket (-qmp unix:PATH,server,nowait). Clients are served one after
 * another, as QEMU's monitor does: the next waits in the backlog until the current one leaves.
 */
public final class QmpServer implements QmpEvents, AutoCloseable {
    /** The QEMU release whose QMP jvmm follows, reported in the greeting and query-version. */
    public static final int[] QEMU_VERSION = {8, 2, 0};

    private final Path path;
    private final ServerSocketChannel server;
    private final ObjectMapper json = new ObjectMapper();
    private final QmpCommands commands;
    private final VmControl vm;
    private final String packageName;
    private volatile QmpSession session;

    private QmpServer(Path path, ServerSocketChannel server, VmControl vm, String packageName) {
        this.path = path;
        this.server = server;
        this.vm = vm;
        this.packageName = packageName;
        this.commands = new QmpCommands(json, vm, QEMU_VERSION, packageName);
    }

    /** Listens on {@code path}; {@code packageName} is what query-version and the greeting call the VMM. */
    public static QmpServer start(Path path, VmControl vm, String packageName) throws SocketException {
        try {
            ServerSocketChannel server = ListeningSocket.open(path);
            return new QmpServer(path, server, vm, packageName);
        } catch (IOException e) {
            throw new SocketException("-qmp unix:" + path + ": cannot listen there: " + e.getMessage());
        }
    }

    /**
     * Starts answering clients. Until then they wait in the listen backlog, so that the socket
     * can exist (for whoever waits for it) before the VM is running.
     */
    public void serve() {
        Thread t = new Thread(this::acceptLoop, "qmp");
        t.setDaemon(true);
        t.start();
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed at exit
            }
            QmpSession s = new QmpSession(client, json, commands, vm::quit);
            session = s;
            s.serve(greeting());
            session = null;
        }
    }

    private ObjectNode greeting() {
        ObjectNode g = json.createObjectNode();
        ObjectNode qmp = g.putObject("QMP");
        ObjectNode version = qmp.putObject("version");
        ObjectNode q = version.putObject("qemu");
        q.put("micro", QEMU_VERSION[2]);
        q.put("minor", QEMU_VERSION[1]);
        q.put("major", QEMU_VERSION[0]);
        version.put("package", packageName);
        qmp.putArray("capabilities");
        return g;
    }

    @Override
    public void emit(String name, Map<String, Object> data) {
        QmpSession s = session;
        if (s != null) {
            s.event(name, data);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // Best effort at exit.
        }
    }

    /** The socket could not be created. */
    public static final class SocketException extends Exception {
        SocketException(String message) {
            super(message);
        }
    }
}
