package io.jvmm.kubectl;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** kubectl's duration flags ("30s", "5m", "1h", "1h30m") and its AGE column. */
final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h)");

  private Durations() {
  }

  static Duration parse(String text, String option) {
    Matcher m = PART.matcher(text);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      long n = Long.parseLong(m.group(1));
      total = total.plus(switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      });
      end = m.end();
    }
    if (end != text.length() || text.isEmpty()) {
      throw new UsageException("invalid value \"" + text + "\" for " + option + ": write a duration such as 30s,"
          + " 5m or 1h30m");
    }
    return total;
  }

  /** kubectl's HumanDuration: 45s, 3m20s, 15m, 5h10m, 20h, 3d4h, 120d, 2y3d. */
  static String human(Duration d) {
    long s = Math.max(0, d.getSeconds());
    long m = s / 60;
    long h = s / 3600;
    if (s < 120) {
      return s + "s";
    } else if (m < 10) {
      return m + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
    } else if (m < 180) {
      return m + "m";
    } else if (h < 8) {
      return h + "h" + (m % 60 == 0 ? "" : (m % 60) + "m");
    } else if (h < 48) {
      return h + "h";
    } else if (h < 24 * 8) {
      return h / 24 + "d" + (h % 24 == 0 ? "" : (h % 24) + "h");
    } else if (h < 24 * 365 * 2) {
      return h / 24 + "d";
    } else if (h < 24 * 365 * 8) {
      long days = h / 24 % 365;
      return h / 24 / 365 + "y" + (days == 0 ? "" : days + "d");
    }
    return h / 24 / 365 + "y";
  }
}
