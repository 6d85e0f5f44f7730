package io.jvmm.agent.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvmm.agent.console.ConsoleClient;
import io.jvmm.agent.console.ConsoleStreams;
import io.jvmm.agent.qmp.UnixSocketStreams;
import io.jvmm.agent.standalone.ControlReply;
import io.jvmm.agent.standalone.ControlRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * bin/jvmm-virsh: the seed's virsh commands (create, destroy, suspend, resume, console) and
 * list, against the standalone agent's UNIX socket. Exit codes: 0 done, 1 refused, 2 usage.
 */
@Command(name = "jvmm-virsh", mixinStandardHelpOptions = true, version = "jvmm-virsh 0.1.0",
    description = "Drives the standalone jvmm agent (bin/jvmm-agent), as virsh drives libvirtd.",
    subcommands = {JvmmVirsh.Create.class, JvmmVirsh.Destroy.class, JvmmVirsh.Suspend.class,
        JvmmVirsh.Resume.class, JvmmVirsh.ListVms.class, JvmmVirsh.Console.class})
public final class JvmmVirsh implements Callable<Integer> {
  /** Ctrl-], as virsh console. */
  static final int ESCAPE = 0x1d;

  @Option(names = {"-c", "--socket"}, scope = CommandLine.ScopeType.INHERIT,
      description = "The agent's control socket (default: HOME/agent.sock, HOME as bin/jvmm-agent's)")
  Path socket;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new JvmmVirsh());
    cli.setExitCodeExceptionMapper(e -> 1);
    System.exit(cli.execute(args));
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 2;
  }

  Path socket() {
    return socket != null ? socket : AgentMain.defaultHome().resolve("agent.sock");
  }

  ControlReply ask(ControlRequest request) throws IOException {
    SocketChannel channel;
    try {
      channel = UnixSocketStreams.connect(socket());
    } catch (IOException e) {
      throw new IOException("cannot reach the agent at " + socket() + " (is bin/jvmm-agent running?): "
          + e.getMessage(), e);
    }
    try (channel) {
      ConsoleStreams.writeLine(UnixSocketStreams.out(channel), request);
      String line = ConsoleStreams.readLine(UnixSocketStreams.in(channel));
      if (line == null) {
        throw new IOException("the agent closed the connection without an answer");
      }
      return new ObjectMapper().readValue(line, ControlReply.class);
    }
  }

  int simple(String op, String name) throws IOException {
    ControlRequest r = new ControlRequest();
    r.op = op;
    r.name = name;
    return report(ask(r), op);
  }

  int report(ControlReply reply, String op) {
    PrintWriter out = spec.commandLine().getOut();
    if (!reply.ok) {
      spec.commandLine().getErr().println("error: " + reply.error);
      return 1;
    }
    String verb = switch (op) {
      case "create" -> "created";
      case "destroy" -> "destroyed";
      case "suspend" -> "suspended";
      case "resume" -> "resumed";
      default -> op;
    };
    out.println("Domain '" + reply.name + "' " + verb);
    out.flush();
    return 0;
  }

  @Command(name = "create", description = "Runs the VM of a manifest or domain XML file")
  static class Create implements Callable<Integer> {
    @CommandLine.ParentCommand
    JvmmVirsh parent;
    @Parameters(paramLabel = "FILE")
    Path file;

    @Override
    public Integer call() throws IOException {
      ControlRequest r = new ControlRequest();
      r.op = "create";
      r.fileName = file.getFileName().toString();
      r.content = Files.readString(file);
      return parent.report(parent.ask(r), "create");
    }
  }

  /** A verb that takes one VM name and is answered by the agent with the same operation name. */
  abstract static class NamedVmOperation implements Callable<Integer> {
    private final String op;
    @CommandLine.ParentCommand
    JvmmVirsh parent;
    @Parameters(paramLabel = "NAME")
    String name;

    NamedVmOperation(String op) {
      this.op = op;
    }

    @Override
    public Integer call() throws IOException {
      return parent.simple(op, name);
    }
  }

  @Command(name = "destroy", description = "Quits the VM's VMM and forgets the VM")
  static class Destroy extends NamedVmOperation {
    Destroy() {
      super("destroy");
    }
  }

  @Command(name = "suspend", description = "Pauses the guest's vCPUs (QMP stop)")
  static class Suspend extends NamedVmOperation {
    Suspend() {
      super("suspend");
    }
  }

  @Command(name = "resume", description = "Resumes the guest's vCPUs (QMP cont)")
  static class Resume extends NamedVmOperation {
    Resume() {
      super("resume");
    }
  }

  @Command(name = "list", description = "Lists the VMs with their state")
  static class ListVms implements Callable<Integer> {
    @CommandLine.ParentCommand
    JvmmVirsh parent;

    @Override
    public Integer call() throws IOException {
      ControlRequest r = new ControlRequest();
      r.op = "list";
      ControlReply reply = parent.ask(r);
      if (!reply.ok) {
        return parent.report(reply, "list");
      }
      PrintWriter out = parent.spec.commandLine().getOut();
      out.printf("%-24s %-9s %-10s %-8s %s%n", "Name", "State", "QMP", "PID", "Message");
      for (ControlReply.VmLine vm : reply.vms == null ? List.<ControlReply.VmLine>of() : reply.vms) {
        out.printf("%-24s %-9s %-10s %-8s %s%n", vm.name, dash(vm.state), dash(vm.qmpStatus),
            vm.pid == null ? "-" : vm.pid, dash(vm.message));
      }
      if (reply.problems != null) {
        for (Map.Entry<String, String> p : reply.problems.entrySet()) {
          out.println("not running " + p.getKey() + ": " + p.getValue().replace("\n", "; "));
        }
      }
      out.flush();
      return 0;
    }

    private static String dash(String s) {
      return s == null ? "-" : s;
    }
  }

  @Command(name = "console", description = "Attaches to the VM's console (hvc0, else the serial port);"
      + " Ctrl-] leaves. Several clients may watch; the first one types.")
  static class Console implements Callable<Integer> {
    @CommandLine.ParentCommand
    JvmmVirsh parent;
    @Parameters(paramLabel = "NAME")
    String name;
    @Option(names = "--read-only", description = "Watch only")
    boolean readOnly;
    @Option(names = "--serial", description = "The serial port even when the VM has a virtio console")
    boolean serial;
    @Override
    public Integer call() throws Exception {
      ConsoleClient client;
      try {
        ControlRequest r = new ControlRequest();
        r.op = "console";
        r.name = name;
        r.write = !readOnly;
        r.serial = serial;
        client = ConsoleClient.local(parent.socket(), r);
      } catch (ConsoleClient.ConsoleRefusedException e) {
        parent.spec.commandLine().getErr().println("error: " + e.getMessage());
        return 1;
      }
      return attach(client);
    }

    private int attach(ConsoleClient client) throws Exception {
      boolean tty = System.console() != null;
      System.err.println("Connected to domain '" + name + "'" + (client.isWriter() ? "" : " (read-only)"));
      System.err.println("Escape character is ^]" + (tty ? "" : " (stdin is not a terminal)"));
      if (tty) {
        stty("raw", "-echo");
      }
      try (client) {
        Thread keys = new Thread(() -> copyKeys(System.in, client.input(), client), "console-keys");
        keys.setDaemon(true);
        keys.start();
        InputStream from = client.output();
        byte[] buffer = new byte[8192];
        try {
          for (int n; (n = from.read(buffer)) > 0; ) {
            System.out.write(buffer, 0, n);
            System.out.flush();
          }
        } catch (IOException e) {
          // closed by Ctrl-] or by the agent
        }
      } finally {
        if (tty) {
          stty("sane");
        }
      }
      System.err.println();
      return 0;
    }

    private static void copyKeys(InputStream keys, OutputStream guest, ConsoleClient client) {
      try {
        byte[] buffer = new byte[1024];
        for (int n; (n = keys.read(buffer)) > 0; ) {
          for (int i = 0; i < n; i++) {
            if (buffer[i] == ESCAPE) {
              guest.write(buffer, 0, i);
              client.close();
              return;
            }
          }
          guest.write(buffer, 0, n);
          guest.flush();
        }
      } catch (IOException e) {
        // the connection closed
      }
    }

    private static void stty(String... args) throws IOException, InterruptedException {
      List<String> cmd = new java.util.ArrayList<>(List.of("stty"));
      cmd.addAll(List.of(args));
      new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/tty")))
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
