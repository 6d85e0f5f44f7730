package io.jvmm.agent.qmp;

import java.io.IOException;

/** A QMP command the VMM answered with an error, or a connection that failed mid-command. */
public class QmpException extends IOException {
  private final String errorClass;

  public QmpException(String message, String errorClass) {
    super(message);
    this.errorClass = errorClass;
  }

  public QmpException(String message, Throwable cause) {
    super(message, cause);
    this.errorClass = null;
  }

  /** QMP's error class (GenericError, CommandNotFound...), null when the connection failed. */
  public String errorClass() {
    return errorClass;
  }
}
