package io.jvmm.agent.standalone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** A process's threads as /proc shows them: name, scheduler state and the kernel function it waits in. */
final class ProcessThreads {
  private ProcessThreads() {
  }

  static String describe(long pid) {
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    StringBuilder out = new StringBuilder("threads of pid " + pid + ":\n");
    try (Stream<Path> list = Files.list(tasks)) {
      list.sorted().forEach(task -> out.append("  ").append(task.getFileName()).append(' ')
          .append(read(task.resolve("comm"))).append(" state ").append(state(read(task.resolve("stat"))))
          .append(" wchan ").append(read(task.resolve("wchan"))).append('\n'));
    } catch (IOException e) {
      out.append("  none: ").append(e.getMessage()).append('\n');
    }
    return out.toString();
  }

  private static String state(String stat) {
    int close = stat.lastIndexOf(')');
    return close > 0 && stat.length() > close + 2 ? stat.substring(close + 2, close + 3) : "?";
  }

  private static String read(Path file) {
    try {
      return Files.readString(file).trim();
    } catch (IOException e) {
      return "?";
    }
  }
}
