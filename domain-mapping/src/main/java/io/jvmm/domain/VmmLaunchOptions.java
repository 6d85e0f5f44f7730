package io.jvmm.domain;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What the node agent decides about one run of the VMM, beside the VM itself: its state
 * directory, the QMP and console sockets, the legacy serial port's backend and the allowed
 * roots for node paths. Sockets default to files in the state directory.
 *
 * @param stateDir    the VM's own directory on the node (sockets, the UEFI variable store)
 * @param qmpSocket   QMP unix socket; stateDir/qmp.sock when null
 * @param consoleSocket unix socket for the virtio console; the console is a pty when null
 * @param serial      -serial backend: unix:PATH,server,nowait, stdio, pty or file:PATH;
 *                    unix:stateDir/serial.sock,server,nowait when null
 * @param nodePaths   where node paths may point
 */
public record VmmLaunchOptions(Path stateDir, Path qmpSocket, Path consoleSocket, String serial,
    NodePathPolicy nodePaths) {

  public VmmLaunchOptions {
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(nodePaths, "nodePaths");
    if (!stateDir.isAbsolute()) {
      throw new IllegalArgumentException("state directory '" + stateDir + "' is not absolute");
    }
    if (serial != null && !serial.matches("stdio|pty|file:/[^,]+|unix:/[^,]+,server,nowait")) {
      throw new IllegalArgumentException("serial backend '" + serial + "' is not one of unix:PATH,server,nowait,"
          + " stdio, pty, file:PATH");
    }
  }

  public static VmmLaunchOptions inStateDir(Path stateDir, NodePathPolicy nodePaths) {
    return new VmmLaunchOptions(stateDir, null, null, null, nodePaths);
  }

  public VmmLaunchOptions withQmpSocket(Path socket) {
    return new VmmLaunchOptions(stateDir, socket, consoleSocket, serial, nodePaths);
  }

  public VmmLaunchOptions withConsoleSocket(Path socket) {
    return new VmmLaunchOptions(stateDir, qmpSocket, socket, serial, nodePaths);
  }

  public VmmLaunchOptions withSerial(String backend) {
    return new VmmLaunchOptions(stateDir, qmpSocket, consoleSocket, backend, nodePaths);
  }

  Path effectiveQmpSocket() {
    return qmpSocket != null ? qmpSocket : stateDir.resolve("qmp.sock");
  }

  String effectiveSerial() {
    return serial != null ? serial : "unix:" + stateDir.resolve("serial.sock") + ",server,nowait";
  }

  /** Where this VM's UEFI variable store lives when spec.os.nvram.path is not set. */
  Path defaultNvram() {
    return stateDir.resolve("OVMF_VARS.fd");
  }
}
