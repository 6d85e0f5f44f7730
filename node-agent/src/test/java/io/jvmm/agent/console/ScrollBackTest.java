package io.jvmm.agent.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ScrollBackTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static String s(byte[] b) {
    return new String(b, StandardCharsets.US_ASCII);
  }

  @Test
  void keepsEverythingWhileItFits() {
    ScrollBack sb = new ScrollBack(16);
    sb.append(b("hello "), 0, 6);
    sb.append(b("world"), 0, 5);
    assertThat(s(sb.snapshot())).isEqualTo("hello world");
    assertThat(sb.total()).isEqualTo(11);
  }

  @Test
  void keepsTheNewestBytesWhenItWraps() {
    ScrollBack sb = new ScrollBack(8);
    sb.append(b("abcdef"), 0, 6);
    sb.append(b("ghijk"), 0, 5);
    assertThat(s(sb.snapshot())).isEqualTo("defghijk");
    sb.append(b("XY"), 0, 2);
    assertThat(s(sb.snapshot())).isEqualTo("fghijkXY");
  }

  @Test
  void aChunkLargerThanTheBufferLeavesItsTail() {
    ScrollBack sb = new ScrollBack(4);
    sb.append(b("ab"), 0, 2);
    sb.append(b("0123456789"), 0, 10);
    assertThat(s(sb.snapshot())).isEqualTo("6789");
    sb.append(b("Z"), 0, 1);
    assertThat(s(sb.snapshot())).isEqualTo("789Z");
  }

  @Test
  void honoursOffsetAndLength() {
    ScrollBack sb = new ScrollBack(8);
    sb.append(b("xxabcxx"), 2, 3);
    assertThat(s(sb.snapshot())).isEqualTo("abc");
  }

  @Test
  void refusesAnEmptyBuffer() {
    assertThatThrownBy(() -> new ScrollBack(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
