package io.tandem.node.tcp;

/**
 * Wrap-safe TCP sequence number arithmetic on 32-bit values held in ints (RFC 1982 serial number arithmetic, as
 * Suricata's {@code SEQ_LT}/{@code SEQ_GT} macros): {@code a} is "before" {@code b} when {@code (a - b)} is negative
 * as a signed 32-bit value, so comparisons stay right when sequence numbers wrap past 2^32.
 */
public final class SeqNum
{
    private SeqNum()
    {
    }

    /**
     * {@code a} before {@code b}.
     *
     * @param a sequence number.
     * @param b sequence number.
     * @return true when a &lt; b.
     */
    public static boolean lt(final int a, final int b)
    {
        return a - b < 0;
    }

    /**
     * {@code a} before or equal to {@code b}.
     *
     * @param a sequence number.
     * @param b sequence number.
     * @return true when a &lt;= b.
     */
    public static boolean leq(final int a, final int b)
    {
        return a - b <= 0;
    }

    /**
     * {@code a} after {@code b}.
     *
     * @param a sequence number.
     * @param b sequence number.
     * @return true when a &gt; b.
     */
    public static boolean gt(final int a, final int b)
    {
        return a - b > 0;
    }

    /**
     * {@code a} after or equal to {@code b}.
     *
     * @param a sequence number.
     * @param b sequence number.
     * @return true when a &gt;= b.
     */
    public static boolean geq(final int a, final int b)
    {
        return a - b >= 0;
    }

    /**
     * Signed distance from {@code b} to {@code a}.
     *
     * @param a sequence number.
     * @param b sequence number.
     * @return a - b as a signed 32-bit value.
     */
    public static int diff(final int a, final int b)
    {
        return a - b;
    }

    /**
     * The later of two sequence numbers.
     *
     * @param a sequence number.
     * @param b sequence number.
     * @return the later one.
     */
    public static int max(final int a, final int b)
    {
        return gt(a, b) ? a : b;
    }

    /**
     * The earlier of two sequence numbers.
     *
     * @param a sequence number.
     * @param b sequence number.
     * @return the earlier one.
     */
    public static int min(final int a, final int b)
    {
        return lt(a, b) ? a : b;
    }

    /**
     * Whether {@code value} lies in {@code [low, high]}.
     *
     * @param value sequence number.
     * @param low   first of the range.
     * @param high  last of the range.
     * @return true when low &lt;= value &lt;= high.
     */
    public static boolean between(final int value, final int low, final int high)
    {
        return geq(value, low) && leq(value, high);
    }

    /**
     * Unsigned value of a sequence number.
     *
     * @param seq sequence number.
     * @return 0..2^32-1.
     */
    public static long unsigned(final int seq)
    {
        return seq & 0xFFFF_FFFFL;
    }
}
