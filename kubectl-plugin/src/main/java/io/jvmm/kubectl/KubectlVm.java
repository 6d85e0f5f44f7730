package io.jvmm.kubectl;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.jvmm.crds.v1alpha1.VirtualMachine;
import io.jvmm.domain.InvalidVirtualMachineException;
import io.jvmm.domain.Problem;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * kubectl vm: the seed's virsh verbs (create, destroy, suspend, resume, console) and start,
 * stop, shutdown, list, import and export, for jvmm VirtualMachines. Run state changes are JSON
 * merge patches of spec.runState under field manager {@value #FIELD_MANAGER}; see
 * kubectl-plugin/README.md for why. Every failure exits 1 with kubectl's wording.
 */
@Command(name = "kubectl vm", mixinStandardHelpOptions = true, version = "kubectl-vm 0.1.0",
    description = "Creates, drives and attaches to jvmm VirtualMachines (group jvmm.io), as virsh does domains.",
    subcommands = {VmCreate.class, VmRunStateChange.Suspend.class, VmRunStateChange.Resume.class,
        VmRunStateChange.Start.class, VmRunStateChange.Stop.class, VmRunStateChange.Shutdown.class,
        VmDestroy.class, VmRestart.class, VmList.class, ConsoleCommand.class, VmImport.class, VmExport.class},
    footer = "%nExit codes: 0 done, 1 refused or failed (as kubectl).")
public final class KubectlVm implements Callable<Integer> {
  static final String FIELD_MANAGER = "kubectl-vm";
  static final String RESOURCE = "virtualmachine." + VirtualMachine.GROUP;
  static final String RESOURCES = "virtualmachines." + VirtualMachine.GROUP;

  @Option(names = "--kubeconfig", scope = ScopeType.INHERIT, paramLabel = "FILE",
      description = "Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)")
  Path kubeconfig;

  @Option(names = "--context", scope = ScopeType.INHERIT, description = "The kubeconfig context to use")
  String context;

  @Option(names = {"-n", "--namespace"}, scope = ScopeType.INHERIT,
      description = "The namespace (default: the context's, else default)")
  String namespace;

  @Option(names = "--token", scope = ScopeType.INHERIT,
      description = "Bearer token for the API server and the console, instead of the kubeconfig user's")
  String token;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** Standard input for the console; tests hand another one in. */
  InputStream stdin = System.in;
  /** Raw bytes of the console go here, not through the PrintWriter's character encoding. */
  PrintStream stdout = System.out;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true), System.in, System.out));
  }

  /** Runs kubectl vm with these streams; returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err, InputStream in, PrintStream rawOut) {
    KubectlVm root = new KubectlVm();
    root.stdin = in;
    root.stdout = rawOut;
    CommandLine cli = new CommandLine(root);
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler((e, a) -> {
      e.getCommandLine().getErr().println("error: " + e.getMessage());
      e.getCommandLine().getErr().println("See '" + e.getCommandLine().getCommandSpec().qualifiedName()
          + " --help' for usage.");
      return 1;
    });
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter w = commandLine.getErr();
      if (e instanceof KubernetesClientException k) {
        w.println(ApiErrors.describe(k, root.serverForMessages()));
      } else if (e instanceof UsageException u) {
        w.println("error: " + u.getMessage());
      } else if (e instanceof InvalidVirtualMachineException invalid) {
        w.println("error: the VirtualMachine is not valid:");
        for (Problem p : invalid.problems()) {
          w.println("  " + p);
        }
      } else if (e instanceof NoSuchFileException missing) {
        w.println("error: the path \"" + missing.getFile() + "\" does not exist");
      } else if (e instanceof java.io.IOException io) {
        w.println("error: " + io.getMessage());
      } else {
        throw e;
      }
      return 1;
    });
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 0;
  }

  private KubeAccess access;

  KubeAccess access() {
    if (access == null) {
      access = KubeAccess.resolve(kubeconfig, context, namespace, token);
    }
    return access;
  }

  /** The namespace the user named with -n, or null when it comes from the context. */
  String explicitNamespace() {
    return namespace;
  }

  private String serverForMessages() {
    try {
      return access().config().getMasterUrl();
    } catch (RuntimeException e) {
      return "(unknown)";
    }
  }

  static Resource<VirtualMachine> vm(KubernetesClient client, String namespace, String name) {
    return client.resources(VirtualMachine.class).inNamespace(namespace).withName(name);
  }

  static String notFound(String name) {
    return "Error from server (NotFound): " + RESOURCES + " \"" + name + "\" not found";
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }
}
