package io.jvmm.consoleapi;

import java.util.Map;

/** A request the console API answers with a Kubernetes Status instead of a console. */
public final class ApiRefusal extends Exception {
  private final int code;
  private final String reason;

  public ApiRefusal(int code, String reason, String message) {
    super(message);
    this.code = code;
    this.reason = reason;
  }

  public static ApiRefusal notFound(String what, String name) {
    return new ApiRefusal(404, "NotFound", what + " \"" + name + "\" not found");
  }

  public static ApiRefusal unavailable(String message) {
    return new ApiRefusal(503, "ServiceUnavailable", message);
  }

  public int code() {
    return code;
  }

  /** The metav1 Status kubectl and client libraries print as "Error from server (Reason): message". */
  public Map<String, Object> status() {
    return Map.of("kind", "Status", "apiVersion", "v1", "metadata", Map.of(), "status", "Failure",
        "message", getMessage(), "reason", reason, "code", code);
  }
}
