package io.tandem.node.decode;

import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The transport checksum over a full-size segment: {@link Checksums#sum} against a control, the plain loop over
 * big-endian 64-bit loads split into 16-bit words, in the same run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "-XX:+UseCompactObjectHeaders", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED" })
public class ChecksumBenchmark
{
    @Param({"1480"})
    private int length;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[2048]);

    /**
     * Fill the segment.
     */
    @Setup
    public void setup()
    {
        for (int i = 0; i < buffer.capacity(); i++)
        {
            buffer.putByte(i, (byte)(i * 31 + 7));
        }
    }

    /**
     * Tandem's sum.
     *
     * @return the folded sum.
     */
    @Benchmark
    public int checksums()
    {
        return Checksums.fold(Checksums.sum(buffer, 20, length, 0));
    }

    /**
     * The control: big-endian 64-bit loads, four 16-bit words each.
     *
     * @return the folded sum.
     */
    @Benchmark
    public int control()
    {
        return Checksums.fold(sixteenBitWords(buffer, 20, length));
    }

    private static long sixteenBitWords(final DirectBuffer buffer, final int offset, final int length)
    {
        long sum = 0;
        int i = offset;
        final int end = offset + length;
        while (i + 8 <= end)
        {
            final long word = buffer.getLong(i, ByteOrder.BIG_ENDIAN);
            sum += (word >>> 48) + ((word >>> 32) & 0xFFFF) + ((word >>> 16) & 0xFFFF) + (word & 0xFFFF);
            i += 8;
        }
        while (i + 2 <= end)
        {
            sum += buffer.getShort(i, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            i += 2;
        }
        if (i < end)
        {
            sum += (buffer.getByte(i) & 0xFF) << 8;
        }
        return sum;
    }
}
