package io.jvmm.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real kubectl of the control plane's release, bound to one kubeconfig. Tests drive it as a
 * person would; every call runs a process.
 */
public final class Kubectl {

  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(90);

  private final Path binary;
  private final Path kubeconfig;

  public Kubectl(Path binary, Path kubeconfig) {
    this.binary = binary;
    this.kubeconfig = kubeconfig;
  }

  /** Output of a finished kubectl. */
  public record Result(List<String> command, int exitCode, String stdout, String stderr) {

    public boolean succeeded() {
      return exitCode == 0;
    }

    /** Returns this result, or throws with the command and its stderr when kubectl failed. */
    public Result orThrow() {
      if (exitCode != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " exited " + exitCode + ": " + stderr.strip());
      }
      return this;
    }
  }

  /** Runs kubectl with these arguments and waits for it (at most 90 s). */
  public Result run(String... args) {
    return runWithStdin(null, args);
  }

  /** Runs kubectl with {@code stdin} as its standard input (for {@code -f -}). */
  public Result runWithStdin(String stdin, String... args) {
    List<String> command = command(args);
    Path out = null;
    Path err = null;
    Process process = null;
    try {
      // Files, not pipes: a pipe nobody drains can fill and stall kubectl.
      out = Files.createTempFile("kubectl-", ".out");
      err = Files.createTempFile("kubectl-", ".err");
      process = new ProcessBuilder(command)
          .redirectOutput(out.toFile())
          .redirectError(err.toFile())
          .start();
      try (var in = process.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!process.waitFor(DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command)
            + " did not finish within " + DEFAULT_TIMEOUT.toSeconds() + " s");
      }
      return new Result(command, process.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  /**
   * Starts kubectl and returns at once, for commands that run until stopped ({@code get --watch})
   * or that wait for something the test is about to do ({@code wait --for=...}). The caller
   * destroys the process.
   */
  public Process start(String... args) {
    try {
      return new ProcessBuilder(command(args)).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + binary, e);
    }
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  private List<String> command(String... args) {
    List<String> command = new ArrayList<>(args.length + 2);
    command.add(binary.toString());
    command.add("--kubeconfig=" + kubeconfig);
    command.addAll(List.of(args));
    return command;
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a leftover temp file is harmless
      }
    }
  }
}
