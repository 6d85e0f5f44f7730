package io.jvmm.agent.standalone;

import io.jvmm.agent.NodeAgent;
import io.jvmm.agent.VmKey;
import io.jvmm.agent.console.ConsoleHub;
import io.jvmm.agent.console.ConsoleStreams;
import io.jvmm.agent.qmp.UnixSocketStreams;
import io.jvmm.crds.v1alpha1.AgentStatus;
import io.jvmm.crds.v1alpha1.RunState;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.domain.DomainXmlExporter;
import io.jvmm.domain.InvalidVirtualMachineException;
import io.jvmm.domain.Problem;
import io.jvmm.domain.VirtualMachineValidator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone agent's local control socket, what bin/jvmm-virsh talks to: create, destroy,
 * suspend, resume, list and console, as the seed's virsh commands. The socket is mode 0600:
 * who may open it may run VMs as the agent's user, as with libvirtd's read-write socket.
 */
public final class ControlServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlServer.class);

  private final Path socket;
  private final ServerSocketChannel server;
  private final NodeAgent agent;
  private final ManifestDirectory vms;
  private volatile boolean closed;

  public ControlServer(Path socket, NodeAgent agent, ManifestDirectory vms) throws IOException {
    this.socket = socket;
    this.agent = agent;
    this.vms = vms;
    Files.createDirectories(socket.toAbsolutePath().getParent());
    Files.deleteIfExists(socket);
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
    Thread acceptor = new Thread(this::accept, "control-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    log.info("control socket {}", socket);
  }

  private void accept() {
    while (!closed) {
      try {
        SocketChannel client = server.accept();
        Thread t = new Thread(() -> handle(client), "control-client");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        if (!closed) {
          log.warn("control socket: {}", e.getMessage());
        }
      }
    }
  }

  private void handle(SocketChannel client) {
    try (client) {
      InputStream in = UnixSocketStreams.in(client);
      OutputStream out = UnixSocketStreams.out(client);
      String line = ConsoleStreams.readLine(in);
      if (line == null) {
        return;
      }
      ControlRequest request;
      try {
        request = ConsoleStreams.read(line, ControlRequest.class);
      } catch (IOException e) {
        ConsoleStreams.writeLine(out, ControlReply.error("the request must be one JSON line: " + e.getMessage()));
        return;
      }
      if ("console".equals(request.op)) {
        Optional<ConsoleHub> hub = request.name == null ? Optional.empty()
            : agent.console(key(request.name), request.serial);
        if (hub.isEmpty()) {
          ConsoleStreams.writeLine(out, ControlReply.error("no VM named " + request.name));
          return;
        }
        ConsoleStreams.serve(hub.get(), request.write, in, out);
        return;
      }
      ConsoleStreams.writeLine(out, answer(request));
    } catch (IOException e) {
      log.debug("control client: {}", e.getMessage());
    }
  }

  /** The VM a virsh name means: its manifest name, or the libvirt name its domain XML gave it. */
  private VmKey key(String name) {
    return vms.keyFor(name);
  }

  ControlReply answer(ControlRequest request) {
    try {
      return switch (request.op == null ? "" : request.op) {
        case "list" -> list();
        case "create" -> create(request);
        case "destroy" -> destroy(request.name);
        case "suspend" -> runState(request.name, RunState.PAUSED);
        case "resume" -> runState(request.name, RunState.RUNNING);
        default -> ControlReply.error("unknown op '" + request.op + "'; use list, create, destroy, suspend, resume"
            + " or console");
      };
    } catch (IOException e) {
      return ControlReply.error(e.getMessage());
    }
  }

  private ControlReply list() throws IOException {
    ControlReply reply = ControlReply.ok();
    reply.vms = new ArrayList<>();
    for (Map.Entry<VmKey, AgentStatus> e : agent.statuses().entrySet()) {
      ControlReply.VmLine row = new ControlReply.VmLine();
      row.name = vms.get(e.getKey()).map(DomainXmlExporter::domainName).orElse(e.getKey().name());
      AgentStatus s = e.getValue();
      if (s != null) {
        row.state = s.state == null ? null : new com.fasterxml.jackson.databind.ObjectMapper()
            .convertValue(s.state, String.class);
        row.qmpStatus = s.qmpStatus;
        row.pid = s.pid;
        row.restarts = s.restarts;
        row.exitCode = s.exitCode;
        row.message = s.message;
      }
      row.file = vms.file(e.getKey()).map(Path::toString).orElse(null);
      reply.vms.add(row);
    }
    Map<String, String> problems = new LinkedHashMap<>();
    vms.problems().forEach((file, why) -> problems.put(file.toString(), why));
    reply.problems = problems.isEmpty() ? null : problems;
    return reply;
  }

  /**
   * virsh create: the file goes into the VM directory, under the VM's name, and runs from there,
   * transient: it goes when the VM ends for good (its restart policy; a domain XML without
   * lifecycle actions ends when its guest powers off, as libvirt's transient domain does).
   */
  private ControlReply create(ControlRequest request) throws IOException {
    if (request.content == null) {
      return ControlReply.error("create needs the file's content");
    }
    byte[] content = request.content.getBytes(StandardCharsets.UTF_8);
    VirtualMachine vm;
    try {
      vm = ManifestDirectory.parse(Path.of(request.fileName == null ? "vm.yaml" : request.fileName), content);
    } catch (InvalidVirtualMachineException e) {
      return ControlReply.error(e.getMessage());
    }
    // Refused now rather than Failed later: the same check the agent makes before starting it.
    List<Problem> problems = VirtualMachineValidator.validate(vm, agent.settings().nodePaths());
    if (!problems.isEmpty()) {
      return ControlReply.error(new InvalidVirtualMachineException(problems).getMessage());
    }
    String name = vm.getMetadata().getName();
    Optional<Path> existing = vms.file(key(name));
    if (existing.isPresent()) {
      return ControlReply.error("a VM named " + name + " exists already (" + existing.get() + "); destroy it first");
    }
    vms.markTransient(key(name));
    boolean xml = new String(content, StandardCharsets.UTF_8).stripLeading().startsWith("<");
    Path file = vms.directory().resolve(name + (xml ? ".xml" : ".yaml"));
    Path tmp = vms.directory().resolve("." + name + ".tmp");
    Files.write(tmp, content);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Map<Path, String> unusable = vms.scan();
    if (unusable.containsKey(file)) {
      Files.deleteIfExists(file);
      vms.scan();
      return ControlReply.error(unusable.get(file));
    }
    ControlReply reply = ControlReply.ok();
    reply.name = DomainXmlExporter.domainName(vm);
    return reply;
  }

  /** virsh destroy of a transient domain: the VMM quits and the VM is gone. */
  private ControlReply destroy(String name) throws IOException {
    Optional<Path> file = name == null ? Optional.empty() : vms.file(key(name));
    if (file.isEmpty()) {
      return ControlReply.error("no VM named " + name);
    }
    Files.deleteIfExists(file.get());
    vms.scan();
    ControlReply reply = ControlReply.ok();
    reply.name = name;
    return reply;
  }

  private ControlReply runState(String name, RunState state) throws IOException {
    if (name == null || vms.file(key(name)).isEmpty()) {
      return ControlReply.error("no VM named " + name);
    }
    vms.setRunState(key(name), state);
    ControlReply reply = ControlReply.ok();
    reply.name = name;
    return reply;
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      // closing
    }
  }
}
