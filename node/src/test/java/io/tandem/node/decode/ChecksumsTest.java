package io.tandem.node.decode;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChecksumsTest
{
    private static UnsafeBuffer hex(final String hex)
    {
        final String clean = hex.replace(" ", "");
        final byte[] bytes = new byte[clean.length() / 2];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)Integer.parseInt(clean.substring(i * 2, i * 2 + 2), 16);
        }
        return new UnsafeBuffer(bytes);
    }

    @Test
    void shouldComputeTheRfc1071ExampleIpv4HeaderChecksum()
    {
        // The classic example header 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7: checksum b861.
        final UnsafeBuffer header = hex("4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7");
        assertThat(Checksums.ipv4HeaderChecksum(header, 0, 20)).isEqualTo(0xb861);

        final UnsafeBuffer received = hex("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7");
        assertThat(Checksums.ipv4HeaderChecksum(received, 0, 20)).isZero();
    }

    @Test
    void shouldValidateTcpChecksumWithIpv4PseudoHeaderAndDetectCorruption()
    {
        // TCP SYN 10.0.0.1:1234 -> 10.0.0.2:80 seq 1, 20-byte header, no payload; checksum computed then verified.
        final UnsafeBuffer segment = hex("04d2 0050 0000 0001 0000 0000 5002 ffff 0000 0000");
        final long pseudo = Checksums.ipv4PseudoHeaderSum(0x0a000001, 0x0a000002, 6, 20);
        final int checksum = Checksums.transportChecksum(pseudo, segment, 0, 20);
        segment.putShort(16, (short)checksum, java.nio.ByteOrder.BIG_ENDIAN);
        assertThat(Checksums.transportChecksum(pseudo, segment, 0, 20)).isZero();

        segment.putByte(7, (byte)2);
        assertThat(Checksums.transportChecksum(pseudo, segment, 0, 20)).isNotZero();
    }

    @Test
    void shouldMatchAKnownUdpOverIpv6Checksum()
    {
        // UDP ::1 port 1 -> ::1 port 2, payload "hi": verified independently (one's-complement by hand) as 0x976c.
        final UnsafeBuffer segment = hex("0001 0002 000a 0000 6869");
        final long pseudo = Checksums.ipv6PseudoHeaderSum(0, 1, 0, 1, 17, 10);
        assertThat(Checksums.transportChecksum(pseudo, segment, 0, 10)).isEqualTo(0x976c);
    }

    @Test
    void shouldPadAnOddTrailingByteWithZero()
    {
        assertThat(Checksums.fold(Checksums.sum(hex("ab"), 0, 1, 0))).isEqualTo(0xab00);
        assertThat(Checksums.fold(Checksums.sum(hex("0102 0304 0506 0708 09"), 0, 9, 0)))
            .isEqualTo(0x0102 + 0x0304 + 0x0506 + 0x0708 + 0x0900);
    }

    @Test
    void shouldFoldToTheSumOf16BitBigEndianWordsForAnyOffsetAndLength()
    {
        final java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        final byte[] bytes = new byte[1600];
        for (int trial = 0; trial < 2000; trial++)
        {
            for (int i = 0; i < bytes.length; i++)
            {
                bytes[i] = (byte)(trial % 7 == 0 ? 0xFF : random.nextInt(256));
            }
            final int offset = random.nextInt(64);
            final int length = random.nextInt(bytes.length - offset);
            final long initial = random.nextInt(1 << 20);
            long expected = initial;
            for (int i = 0; i < length; i += 2)
            {
                expected += ((bytes[offset + i] & 0xFF) << 8) | (i + 1 < length ? bytes[offset + i + 1] & 0xFF : 0);
            }
            assertThat(Checksums.fold(Checksums.sum(new UnsafeBuffer(bytes), offset, length, initial)))
                .as("offset %d length %d", offset, length).isEqualTo(Checksums.fold(expected));
        }
    }

    @Test
    void shouldSumNativeMemoryAndWrappedSlicesAsAnArray()
    {
        final java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        final java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(1600);
        final byte[] bytes = new byte[1600];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)random.nextInt(256);
            direct.put(i, bytes[i]);
        }
        for (int trial = 0; trial < 500; trial++)
        {
            final int sliceOffset = random.nextInt(40);
            final int offset = random.nextInt(40);
            final int length = random.nextInt(bytes.length - sliceOffset - offset);
            final UnsafeBuffer slice =
                new UnsafeBuffer(new UnsafeBuffer(direct), sliceOffset, bytes.length - sliceOffset);
            long expected = 0;
            for (int i = 0; i < length; i += 2)
            {
                final int at = sliceOffset + offset + i;
                expected += ((bytes[at] & 0xFF) << 8) | (i + 1 < length ? bytes[at + 1] & 0xFF : 0);
            }
            assertThat(Checksums.fold(Checksums.sum(slice, offset, length, 0)))
                .as("slice %d offset %d length %d", sliceOffset, offset, length).isEqualTo(Checksums.fold(expected));
        }
    }

    @Test
    void shouldRefuseARangeBeyondTheBuffer()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        assertThatThrownBy(() -> Checksums.sum(buffer, 60, 8, 0))
            .isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(Checksums.sum(buffer, 64, 0, 5)).isEqualTo(5);
    }
}
