package io.tandem.node.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigValuesTest
{
    private static final long KB = 1024L;
    private static final long MB = KB * 1024L;
    private static final long GB = MB * 1024L;

    @Test
    void shouldParseSizesWithBinaryUnitsInAnyCase()
    {
        assertThat(ConfigValues.parseSize("k", "64mb")).isEqualTo(64 * MB);
        assertThat(ConfigValues.parseSize("k", "64MB")).isEqualTo(64 * MB);
        assertThat(ConfigValues.parseSize("k", "64Mb")).isEqualTo(64 * MB);
        assertThat(ConfigValues.parseSize("k", "2k")).isEqualTo(2 * KB);
        assertThat(ConfigValues.parseSize("k", "2kb")).isEqualTo(2 * KB);
        assertThat(ConfigValues.parseSize("k", "1gb")).isEqualTo(GB);
        assertThat(ConfigValues.parseSize("k", "3G")).isEqualTo(3 * GB);
        assertThat(ConfigValues.parseSize("k", "1024")).isEqualTo(1024);
        assertThat(ConfigValues.parseSize("k", "7b")).isEqualTo(7);
        assertThat(ConfigValues.parseSize("k", "0")).isZero();
        assertThat(ConfigValues.parseSize("k", "64 MiB")).isEqualTo(64 * MB);
        assertThat(ConfigValues.parseSize("k", "1kib")).isEqualTo(KB);
    }

    @Test
    void shouldAcceptSpacesAndDecimalsAsSuricataDoes()
    {
        assertThat(ConfigValues.parseSize("k", " 10 kb ")).isEqualTo(10 * KB);
        assertThat(ConfigValues.parseSize("k", "10.5kb")).isEqualTo(10752);
        assertThat(ConfigValues.parseSize("k", "1.5gb")).isEqualTo(GB + GB / 2);
        assertThat(ConfigValues.parseSize("k", "0.5b")).isZero();
        assertThat(ConfigValues.parseSize("k", "1.0009kb")).isEqualTo(1024);
    }

    @Test
    void shouldAcceptTheLargestSizeAndRejectOneMore()
    {
        assertThat(ConfigValues.parseSize("k", Long.toString(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> ConfigValues.parseSize("flow.memcap", "9223372036854775808"))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("flow.memcap: '9223372036854775808' is too large a size");
        assertThatThrownBy(() -> ConfigValues.parseSize("flow.memcap", "8589934592gb"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("too large");
    }

    @Test
    void shouldNameKeyValueAndFormInSizeError()
    {
        assertThatThrownBy(() -> ConfigValues.parseSize("flow.memcap", "64qb"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("flow.memcap: '64qb' is not a size (use a number with an optional unit: b, kb, mb, gb, " +
                "e.g. 64mb)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "mb", "-1", "-1mb", "1.mb", ".5mb", "1 2mb", "abc", "1tb", "1mbb", "0x10", "1e3"})
    void shouldRejectMalformedSizes(final String text)
    {
        assertThatThrownBy(() -> ConfigValues.parseSize("stream.memcap", text))
            .isInstanceOf(ConfigException.class)
            .hasMessage("stream.memcap: '" + text + "' is not a size (" + ConfigValues.SIZE_HINT + ")");
    }

    @Test
    void shouldFormatSizesInTheLargestExactUnit()
    {
        assertThat(ConfigValues.formatSize(0)).isEqualTo("0");
        assertThat(ConfigValues.formatSize(1)).isEqualTo("1");
        assertThat(ConfigValues.formatSize(1024)).isEqualTo("1kb");
        assertThat(ConfigValues.formatSize(1536)).isEqualTo("1536");
        assertThat(ConfigValues.formatSize(2560)).isEqualTo("2560");
        assertThat(ConfigValues.formatSize(64 * MB)).isEqualTo("64mb");
        assertThat(ConfigValues.formatSize(MB + KB)).isEqualTo("1025kb");
        assertThat(ConfigValues.formatSize(3 * GB)).isEqualTo("3gb");
    }

    @Test
    void shouldReadBackEveryFormattedSize()
    {
        final Random random = new Random(42);
        for (int i = 0; i < 2000; i++)
        {
            final long bytes = switch (i % 4)
            {
                case 0 -> random.nextLong(Long.MAX_VALUE);
                case 1 -> random.nextInt(1 << 20) * KB;
                case 2 -> random.nextInt(1 << 20) * MB;
                default -> random.nextInt(1 << 20) * GB;
            };
            assertThat(ConfigValues.parseSize("k", ConfigValues.formatSize(bytes))).isEqualTo(bytes);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "YES", "true", "True", "on", "ON", "1", " yes "})
    void shouldReadTrueSpellings(final String text)
    {
        assertThat(ConfigValues.parseBool("k", text)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"no", "No", "false", "FALSE", "off", "Off", "0"})
    void shouldReadFalseSpellings(final String text)
    {
        assertThat(ConfigValues.parseBool("k", text)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"maybe", "2", "", "y", "n", "enabled"})
    void shouldRejectOtherBooleans(final String text)
    {
        assertThatThrownBy(() -> ConfigValues.parseBool("stream.midstream", text))
            .isInstanceOf(ConfigException.class)
            .hasMessage("stream.midstream: '" + text + "' is not a boolean (use yes/no, true/false, on/off or 1/0)");
    }

    @Test
    void shouldParseWholeNumbers()
    {
        assertThat(ConfigValues.parseWhole("k", "30", "x")).isEqualTo(30);
        assertThat(ConfigValues.parseWhole("k", " 0 ", "x")).isZero();
        assertThat(ConfigValues.parseWhole("k", "999999999999999999", "x")).isEqualTo(999_999_999_999_999_999L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"30s", "-1", "1.5", "", "ten", "9999999999999999999"})
    void shouldRejectWhatIsNotAWholeNumber(final String text)
    {
        assertThatThrownBy(() -> ConfigValues.parseWhole("flow-timeouts.tcp.new", text, "a whole number of seconds"))
            .isInstanceOf(ConfigException.class)
            .hasMessage("flow-timeouts.tcp.new: '" + text + "' is not a whole number of seconds");
    }
}
