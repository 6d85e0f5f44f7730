package io.jvmm.kubectl;

/** Wrong input: a file, an option or a name. Printed as kubectl prints it, "error: ...". */
final class UsageException extends RuntimeException {
  UsageException(String message) {
    super(message);
  }
}
