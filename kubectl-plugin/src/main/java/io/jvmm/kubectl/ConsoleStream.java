package io.jvmm.kubectl;

import java.io.Closeable;
import java.io.InputStream;
import java.io.OutputStream;

/** An open console: the guest's output (scroll-back first), and keys to it when this client writes. */
interface ConsoleStream extends Closeable {
  InputStream output();

  OutputStream input();

  boolean isWriter();
}
