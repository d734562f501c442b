package io.tandem.node.config;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsers and formatters for configuration scalars, following Suricata's conventions: sizes as
 * {@code ParseSizeString} reads them (binary multiples, units case-insensitive), booleans as {@code ConfValIsTrue} /
 * {@code ConfValIsFalse} read them, timeouts as whole seconds. Each parser names the key in its error.
 */
public final class ConfigValues
{
    /** Text telling a user what a size looks like; ends every size error. */
    public static final String SIZE_HINT = "use a number with an optional unit: b, kb, mb, gb, e.g. 64mb";

    private static final long KB = 1024L;
    private static final long MB = 1024L * 1024L;
    private static final long GB = 1024L * 1024L * 1024L;
    private static final Pattern SIZE = Pattern.compile("^\\s*(\\d+(?:\\.\\d+)?)\\s*([a-zA-Z]{1,3})?\\s*$");
    private static final Pattern WHOLE = Pattern.compile("^\\s*\\+?(\\d{1,18})\\s*$");

    private ConfigValues()
    {
    }

    /**
     * Parse a size in bytes: a whole or decimal number with an optional unit {@code b}, {@code k}/{@code kb}/
     * {@code kib}, {@code m}/{@code mb}/{@code mib}, {@code g}/{@code gb}/{@code gib} (case-insensitive, 1024-based,
     * spaces allowed around the number and before the unit). A fractional result is truncated, as Suricata does.
     *
     * @param key  full key path, for the error.
     * @param text the value as written.
     * @return the size in bytes.
     * @throws ConfigException naming the key and the value when it is not a size or does not fit in a long.
     */
    public static long parseSize(final String key, final String text)
    {
        final Matcher matcher = SIZE.matcher(text);
        if (!matcher.matches())
        {
            throw new ConfigException(key + ": '" + text + "' is not a size (" + SIZE_HINT + ")");
        }
        final String unit = matcher.group(2);
        final long multiplier = unit == null ? 1 : unitMultiplier(unit.toLowerCase(Locale.ROOT));
        if (multiplier < 0)
        {
            throw new ConfigException(key + ": '" + text + "' is not a size (" + SIZE_HINT + ")");
        }
        final BigDecimal bytes = new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(multiplier));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0)
        {
            throw new ConfigException(key + ": '" + text + "' is too large a size (at most " + Long.MAX_VALUE + ")");
        }
        return bytes.longValue();
    }

    private static long unitMultiplier(final String unit)
    {
        return switch (unit)
        {
            case "b" -> 1;
            case "k", "kb", "kib" -> KB;
            case "m", "mb", "mib" -> MB;
            case "g", "gb", "gib" -> GB;
            default -> -1;
        };
    }

    /**
     * Format a size the shortest exact way that {@link #parseSize(String, String)} reads back: {@code 64mb},
     * {@code 2560}.
     *
     * @param bytes size in bytes, not negative.
     * @return the size text.
     */
    public static String formatSize(final long bytes)
    {
        if (bytes != 0)
        {
            if (bytes % GB == 0)
            {
                return (bytes / GB) + "gb";
            }
            if (bytes % MB == 0)
            {
                return (bytes / MB) + "mb";
            }
            if (bytes % KB == 0)
            {
                return (bytes / KB) + "kb";
            }
        }
        return Long.toString(bytes);
    }

    /**
     * Parse a boolean as Suricata does: {@code yes}, {@code true}, {@code on}, {@code 1} are true; {@code no},
     * {@code false}, {@code off}, {@code 0} are false; case-insensitive.
     *
     * @param key  full key path, for the error.
     * @param text the value as written.
     * @return the boolean.
     * @throws ConfigException naming the key and the value when it is neither.
     */
    public static boolean parseBool(final String key, final String text)
    {
        final int value = boolOrMinusOne(text);
        if (value < 0)
        {
            throw new ConfigException(
                key + ": '" + text + "' is not a boolean (use yes/no, true/false, on/off or 1/0)");
        }
        return value == 1;
    }

    /**
     * Whether the text is one of the boolean spellings, and which.
     *
     * @param text the value as written.
     * @return 1 for true, 0 for false, -1 when it is not a boolean.
     */
    static int boolOrMinusOne(final String text)
    {
        return switch (text.trim().toLowerCase(Locale.ROOT))
        {
            case "yes", "true", "on", "1" -> 1;
            case "no", "false", "off", "0" -> 0;
            default -> -1;
        };
    }

    /**
     * Parse a whole, non-negative number (a count, or a timeout in whole seconds).
     *
     * @param key  full key path, for the error.
     * @param text the value as written.
     * @param what what the number is, for the error: "a whole number", "a whole number of seconds".
     * @return the number.
     * @throws ConfigException naming the key and the value when it is not a whole non-negative number.
     */
    public static long parseWhole(final String key, final String text, final String what)
    {
        final Matcher matcher = WHOLE.matcher(text);
        if (!matcher.matches())
        {
            throw new ConfigException(key + ": '" + text + "' is not " + what);
        }
        return Long.parseLong(matcher.group(1));
    }
}
