package io.hasp.storage.etcd;

/**
 * Keys that keep a queue's commands in order in etcd, compared as strings: an append takes the next key of a
 * sequence ({@link #append}), a move takes a key between its new neighbours' ({@link #between}), so neither rewrites
 * any other command. Keys are decimal digits and never end in {@code 0}, which guarantees that a key between any two
 * different keys exists (as in fractional indexing); append keys are {@value #WIDTH} digits long, so they sort as
 * their sequence numbers do, and every other key sorts below the next append key.
 */
public final class OrderKeys {

    /** Length of an append key: 18 digits of sequence and a final 1. */
    static final int WIDTH = 19;

    private OrderKeys() {
    }

    /** The key of the {@code seq}-th append (from 0). */
    public static String append(long seq) {
        if (seq < 0 || seq >= 1_000_000_000_000_000_000L) {
            throw new IllegalArgumentException("append sequence out of range");
        }
        return String.format("%018d1", seq);
    }

    /**
     * A key strictly between {@code low} and {@code high}: {@code low} may be {@code null} (no lower neighbour),
     * {@code high} may be {@code null} (no upper one). Neither may end in {@code 0}, and {@code low < high}.
     */
    public static String between(String low, String high) {
        String a = low == null ? "" : low;
        if (high != null && a.compareTo(high) >= 0) {
            throw new IllegalArgumentException("between needs low < high");
        }
        return midpoint(a, high);
    }

    private static String midpoint(String a, String b) {
        if (b != null) {
            int n = 0;
            while (digitAt(a, n) == b.charAt(n)) {
                n++;
            }
            if (n > 0) {
                return b.substring(0, n) + midpoint(a.length() > n ? a.substring(n) : "", b.substring(n));
            }
        }
        int da = a.isEmpty() ? 0 : a.charAt(0) - '0';
        int db = b == null ? 10 : b.charAt(0) - '0';
        if (db - da > 1) {
            return String.valueOf((char) ('0' + (da + db) / 2));
        }
        if (b != null && b.length() > 1) {
            return b.substring(0, 1);
        }
        return (char) ('0' + da) + midpoint(a.isEmpty() ? "" : a.substring(1), null);
    }

    private static char digitAt(String s, int i) {
        return i < s.length() ? s.charAt(i) : '0';
    }
}
