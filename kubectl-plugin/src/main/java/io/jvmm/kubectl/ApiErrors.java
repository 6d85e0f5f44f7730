package io.jvmm.kubectl;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * The API server's refusals in kubectl's words: "Error from server (NotFound): ...", and an
 * Invalid object as "The VirtualMachine "x" is invalid: ..." with the CRD rule's message.
 */
final class ApiErrors {
  private ApiErrors() {
  }

  static String describe(KubernetesClientException e, String server) {
    Status status = e.getStatus();
    if (status != null && status.getMessage() != null && status.getReason() != null
        && !status.getReason().isBlank() && e.getCode() > 0) {
      if ("Invalid".equals(status.getReason())) {
        // The server says 'VirtualMachine.jvmm.io "x" is invalid: ...'; kubectl 'The VirtualMachine "x" is invalid: ...'.
        var details = status.getDetails();
        if (details != null && details.getKind() != null && details.getName() != null) {
          String said = details.getKind() + (details.getGroup() == null ? "" : "." + details.getGroup()) + " \""
              + details.getName() + "\" is invalid";
          if (status.getMessage().startsWith(said)) {
            return "The " + details.getKind() + " \"" + details.getName() + "\" is invalid"
                + status.getMessage().substring(said.length());
          }
        }
        return status.getMessage();
      }
      return "Error from server (" + status.getReason() + "): " + status.getMessage();
    }
    if (e.getCode() > 0) {
      return "Error from server (" + reasonOf(e.getCode()) + "): " + (status != null && status.getMessage() != null
          ? status.getMessage() : e.getMessage());
    }
    Throwable cause = e.getCause() != null ? e.getCause() : e;
    return "error: cannot reach the API server at " + server + " - is the kubeconfig's cluster running? ("
        + rootMessage(cause) + ")";
  }

  private static String reasonOf(int code) {
    return switch (code) {
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "NotFound";
      case 409 -> "Conflict";
      case 422 -> "Invalid";
      default -> "HTTP " + code;
    };
  }

  static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
  }
}
