package io.jvmm.agent.standalone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** A process's /proc/PID/status, field by field: who it runs as and how it is confined. */
record ProcessStatus(long pid, Map<String, String> fields) {
  static ProcessStatus of(long pid) throws IOException {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        fields.put(line.substring(0, colon), line.substring(colon + 1).strip());
      }
    }
    return new ProcessStatus(pid, fields);
  }

  String field(String name) {
    return fields.get(name);
  }

  /** The effective user id (the second of Uid's four). */
  long uid() {
    return Long.parseLong(fields.get("Uid").split("\\s+")[1]);
  }
}
