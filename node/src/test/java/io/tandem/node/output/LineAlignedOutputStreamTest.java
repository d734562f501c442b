package io.tandem.node.output;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LineAlignedOutputStreamTest
{
    @Test
    void shouldPassOnlyWholeLinesSoWritersNeverInterleaveWithinALine() throws IOException
    {
        final ByteArrayOutputStream shared = new ByteArrayOutputStream();
        final LineAlignedOutputStream a = new LineAlignedOutputStream(shared);
        final LineAlignedOutputStream b = new LineAlignedOutputStream(shared);
        final String longA = "a".repeat(40_000);
        final String longB = "b".repeat(70_000);
        for (int i = 0; i < 5; i++)
        {
            a.write((longA + i + "\n").getBytes(StandardCharsets.US_ASCII));
            b.write((longB + i).getBytes(StandardCharsets.US_ASCII));
            b.write('\n');
        }
        a.write("tail-a".getBytes(StandardCharsets.US_ASCII));
        a.flush();
        assertThat(shared.toString(StandardCharsets.US_ASCII)).doesNotContain("tail-a");
        a.close();
        b.close();

        final List<String> lines = Arrays.asList(shared.toString(StandardCharsets.US_ASCII).split("\n"));
        assertThat(lines).hasSize(11);
        for (int i = 0; i < 5; i++)
        {
            assertThat(lines).contains(longA + i, longB + i);
        }
        assertThat(lines.getLast()).isEqualTo("tail-a");
    }
}
