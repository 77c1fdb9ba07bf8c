package io.tributary.bench;

import java.util.Locale;

/** Prints benchmark figures as aligned rows. */
final class Report {
    private Report() {
    }

    static void section(String title) {
        System.out.println();
        System.out.println("== " + title);
    }

    static void row(String what, String value) {
        System.out.printf(Locale.ROOT, "  %-58s %s%n", what, value);
    }

    static String mbps(long bytes, long nanos) {
        return String.format(Locale.ROOT, "%.1f MB/s", bytes / 1e6 / (nanos / 1e9));
    }

    static String perSecond(long count, long nanos, String unit) {
        return String.format(Locale.ROOT, "%,.0f %s/s", count / (nanos / 1e9), unit);
    }

    static double rate(long count, long nanos) {
        return count / (nanos / 1e9);
    }

    static String ratio(double a, double b) {
        return String.format(Locale.ROOT, "%.2f", a / b);
    }
}
