package io.tandem.node.decode;

import java.nio.ByteBuffer;
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
 * big-endian 64-bit loads split into 16-bit words, in the same run; over a heap array and over native memory (as a
 * memory-mapped capture is).
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

    @Param({"heap", "direct"})
    private String memory;

    private UnsafeBuffer buffer;

    /**
     * Fill the segment.
     */
    @Setup
    public void setup()
    {
        buffer = "direct".equals(memory) ?
            new UnsafeBuffer(ByteBuffer.allocateDirect(2048)) : new UnsafeBuffer(new byte[2048]);
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

    /**
     * The sum before one bounds check per range: little-endian 64-bit loads through the buffer, 16 bytes a step.
     *
     * @return the folded sum.
     */
    @Benchmark
    public int previous()
    {
        return Checksums.fold(checkedLoads(buffer, 20, length));
    }

    private static long checkedLoads(final DirectBuffer buffer, final int offset, final int length)
    {
        int i = offset;
        final int end = offset + length;
        long bulk = 0;
        while (i + 16 <= end)
        {
            final long a = buffer.getLong(i, ByteOrder.LITTLE_ENDIAN);
            final long b = buffer.getLong(i + 8, ByteOrder.LITTLE_ENDIAN);
            bulk += (a >>> 32) + (a & 0xFFFF_FFFFL) + (b >>> 32) + (b & 0xFFFF_FFFFL);
            i += 16;
        }
        if (i + 8 <= end)
        {
            final long a = buffer.getLong(i, ByteOrder.LITTLE_ENDIAN);
            bulk += (a >>> 32) + (a & 0xFFFF_FFFFL);
            i += 8;
        }
        final int folded = Checksums.fold(bulk);
        long sum = ((folded & 0xFF) << 8) | (folded >>> 8);
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
