package io.jvmm.vmm;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmm.testkit.GuestImage;
import io.jvmm.testkit.KvmSandbox;
import io.jvmm.testkit.ProcessOutcome;
import io.jvmm.testkit.ProjectRoot;
import io.jvmm.testkit.SandboxTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * -serial pty on jvmm and KVM, used as libvirt's and people's tools use it: the slave path is
 * found in jvmm's "char device redirected to" line; the terminal is raw; the guest floods its
 * console for a while with nobody reading and is not held up by it; a viewer opens the slave,
 * types into the guest's shell and reads the answer, closes it, and a second viewer (a
 * reconnect) does the same; powering the guest off from the pty ends jvmm with status 0.
 */
class PtyConsoleSandboxTest {
  /** About 100 KB on the console while nobody reads, far beyond a pty's buffer. */
  private static final String FLOOD = "i=0; while [ $i -lt 2000 ]; do echo FLOOD-$i-"
      + "x".repeat(40) + "; i=$((i+1)); done; echo FLOOD-DONE";

  private static final String VIEWER = String.join("\n",
      "import os, re, select, sys, termios, time, tty",
      "path = None",
      "for _ in range(1500):",
      "    m = re.search(r'char device redirected to (/dev/pts/\\d+) \\(label serial0\\)', open('/tmp/pty.err').read())",
      "    if m: path = m.group(1); break",
      "    time.sleep(0.2)",
      "if not path: print('PTY-NO-PATH'); sys.exit(1)",
      "fd = os.open(path, os.O_RDWR | os.O_NOCTTY)",
      "attrs = termios.tcgetattr(fd)",
      "print('PTY-RAW echo=%d icanon=%d opost=%d' % (attrs[3] & termios.ECHO != 0, attrs[3] & termios.ICANON != 0,"
          + " attrs[1] & termios.OPOST != 0), flush=True)",
      "os.close(fd)",
      // Nobody reads while the guest boots and floods its console.
      "time.sleep(float(sys.argv[1]))",
      "def session(name, command, expect, limit=240):",
      "    fd = os.open(path, os.O_RDWR | os.O_NOCTTY)",
      "    tty.setraw(fd)",
      "    out, sent, deadline = b'', 0, time.time() + limit",
      "    while time.time() < deadline and not re.search(expect, out):",
      "        if time.time() - sent > 5:",
      "            os.write(fd, command); sent = time.time()",
      "        if select.select([fd], [], [], 1)[0]: out += os.read(fd, 65536)",
      "    os.close(fd)",
      "    found = re.search(expect, out)",
      "    print('PTY-%s %s' % (name, found.group(0).decode() if found else 'nothing; read ' + repr(out[-300:])), flush=True)",
      "    return out",
      "first = session('FIRST', b'echo PTY-$((6*7))\\n', rb'PTY-42')",
      // What the guest wrote while nobody read was dropped, not held for the first viewer.
      "print('PTY-FLOOD-LINES-READ=%d' % first.count(b'FLOOD-'), flush=True)",
      "session('AGAIN', b'echo AGAIN-$((2+3))\\n', rb'AGAIN-5')",
      "fd = os.open(path, os.O_RDWR | os.O_NOCTTY); os.write(fd, b'poweroff -f\\n'); os.close(fd)",
      "");

  @SandboxTest
  void theGuestsShellIsReachedOnThePtyByOneViewerThenAnotherAndAFloodWithNoReaderHoldsNothingUp(KvmSandbox sandbox,
      GuestImage image) {
    String cmd = Base64.getEncoder().encodeToString(FLOOD.getBytes(StandardCharsets.UTF_8));
    String script = String.join("\n",
        "set -u",
        "cat > /tmp/viewer.py <<'PY'",
        VIEWER + "PY",
        ProjectRoot.bin("jvmm") + " -machine q35 -accel kvm -smp 1 -m 256M -kernel " + image.kernel()
            + " -initrd " + image.initramfs() + " -append 'console=ttyS0 quiet jvmm.shell=1 jvmm.cmd=" + cmd + "'"
            + " -nodefaults -no-user-config -nographic -no-reboot -serial pty < /dev/null > /tmp/pty.out 2> /tmp/pty.err &",
        "vmm=$!",
        "python3 /tmp/viewer.py 40",
        "wait $vmm; rc=$?; echo \"PTY-VMM-EXIT=$rc\"",
        // jvmm's own words, when it ended otherwise than by the guest's power-off.
        "[ $rc = 0 ] || tail -n 20 /tmp/pty.err",
        "");
    ProcessOutcome outcome = sandbox.withTimeout(Duration.ofMinutes(10)).runGuest("bash", "-c", script);
    String out = outcome.output();

    assertThat(out).as(outcome.toString()).contains("PTY-RAW echo=0 icanon=0 opost=0", "PTY-FIRST PTY-42",
        "PTY-AGAIN AGAIN-5", "PTY-VMM-EXIT=0");
    java.util.regex.Matcher flood = java.util.regex.Pattern.compile("PTY-FLOOD-LINES-READ=(\\d+)").matcher(out);
    assertThat(flood.find()).as(out).isTrue();
    assertThat(Integer.parseInt(flood.group(1))).as("flood lines of 2000 held for the first viewer").isLessThan(1000);
  }
}
