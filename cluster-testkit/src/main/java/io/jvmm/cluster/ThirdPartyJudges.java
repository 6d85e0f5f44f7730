package io.jvmm.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvmm.testkit.ProjectRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The third-party code that judges jvmm's resources, run for real: kstatus as Flux and kapply
 * compute it (sigs.k8s.io/cli-utils) and a health.lua as Argo CD runs it (gopher-lua), both in
 * {@code e2e/clients/judge}, which {@code e2e/clients/build.sh} builds once per version into the
 * cache.
 */
public final class ThirdPartyJudges {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, Path> BUILT = new ConcurrentHashMap<>();

  private ThirdPartyJudges() {}

  /** A tool's verdict on one object. */
  public record Verdict(String status, String message) {}

  /** kstatus's status of each object: Current, InProgress, Failed, Terminating, or Unknown. */
  public static List<Verdict> kstatus(List<?> objects) {
    return judge(objects, "kstatus");
  }

  public static Verdict kstatus(Object object) {
    return kstatus(List.of(object)).get(0);
  }

  /** Argo CD's health of each object by this health.lua: Healthy, Progressing, Degraded, Suspended, ... */
  public static List<Verdict> argoCdHealth(Path script, List<?> objects) {
    return judge(objects, "argocd-health", script.toString());
  }

  /**
   * Runs Argo CD's health_test.yaml format over the script: the judge's report, one line per
   * fixture; throws when a fixture's verdict differs.
   */
  public static String argoCdHealthTests(Path script, Path tests) {
    return run(List.of(tool("judge").toString(), "argocd-health-test", script.toString(), tests.toString()), "");
  }

  /**
   * The path that {@code e2e/clients/build.sh NAME} prints, built on first use: judge, krew (a
   * directory) or libvirt-schemas (a directory).
   */
  public static Path tool(String name) {
    return BUILT.computeIfAbsent(name, n -> Path.of(run(
        List.of(ProjectRoot.path().resolve("e2e/clients/build.sh").toString(), n), "").strip()));
  }

  private static List<Verdict> judge(List<?> objects, String... command) {
    List<String> argv = new ArrayList<>(List.of(tool("judge").toString()));
    argv.addAll(List.of(command));
    String input;
    try {
      input = JSON.writeValueAsString(objects);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Verdict> verdicts = new ArrayList<>();
    for (String line : run(argv, input).split("\n")) {
      if (line.isBlank()) continue;
      try {
        JsonNode v = JSON.readTree(line);
        verdicts.add(new Verdict(v.path("status").asText(), v.path("message").asText()));
      } catch (IOException e) {
        throw new UncheckedIOException("the judge printed " + line, e);
      }
    }
    if (verdicts.size() != objects.size()) {
      throw new IllegalStateException(argv + " judged " + verdicts.size() + " of " + objects.size() + " objects");
    }
    return verdicts;
  }

  /** Runs a command with this input; its standard output, or an error with all it printed. */
  private static String run(List<String> argv, String input) {
    try {
      Process p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.PIPE).start();
      try (var in = p.getOutputStream()) {
        in.write(input.getBytes(StandardCharsets.UTF_8));
      }
      var err = new java.io.ByteArrayOutputStream();
      Thread drain = new Thread(() -> {
        try {
          p.getErrorStream().transferTo(err);
        } catch (IOException ignored) {
          // the process went away; what it said is kept
        }
      });
      drain.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(20, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException(argv + " did not finish");
      }
      drain.join();
      if (p.exitValue() != 0) {
        throw new AssertionError(argv + " exited " + p.exitValue() + ":\n" + out + err.toString(StandardCharsets.UTF_8));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + argv, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
