package io.tandem.proto.wire;

import io.tandem.proto.ha.v1.SessionKey;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WireReaderTest
{
    @Test
    void readsWhatProtobufWritesAndSkipsUnknownFields()
    {
        final SessionKey key = SessionKey.newBuilder().setIpVersion(6).setLowerAddrHi(-2L).setLowerAddrLo(1L)
            .setUpperPort(65535).addVlanIds(100).addVlanIds(4094).build();
        final UnsafeBuffer buffer = new UnsafeBuffer(key.toByteArray());
        final WireReader reader = new WireReader().wrap(buffer, 0, buffer.capacity());
        long hi = 0;
        long lo = 0;
        long version = 0;
        long port = 0;
        int vlanBytes = 0;
        while (reader.hasRemaining())
        {
            final int tag = reader.readTag();
            switch (tag)
            {
                case (1 << 3) -> version = reader.readVarint();
                case (2 << 3) | Wire.FIXED64 -> hi = reader.readFixed64();
                case (3 << 3) | Wire.FIXED64 -> lo = reader.readFixed64();
                case (7 << 3) -> port = reader.readVarint();
                default ->
                {
                    vlanBytes += tag >>> 3 == 9 ? 1 : 0;
                    reader.skipField(tag);
                }
            }
        }
        assertThat(reader.malformed()).isFalse();
        assertThat(version).isEqualTo(6);
        assertThat(hi).isEqualTo(-2L);
        assertThat(lo).isEqualTo(1L);
        assertThat(port).isEqualTo(65535);
        assertThat(vlanBytes).isEqualTo(1);
    }

    @Test
    void writerAndReaderAgreeOnVarintsOfEverySize()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        final WireReader reader = new WireReader();
        for (int bits = 0; bits <= 64; bits++)
        {
            final long value = bits == 64 ? -1L : (1L << bits) - 1;
            final int end = Wire.putVarint(buffer, 0, value);
            assertThat(end).isEqualTo(Wire.varintSize(value));
            reader.wrap(buffer, 0, end);
            assertThat(reader.readVarint()).isEqualTo(value);
            assertThat(reader.malformed()).isFalse();
            assertThat(reader.hasRemaining()).isFalse();
        }
    }

    @Test
    void malformedInputIsMarkedNeverThrown()
    {
        final WireReader reader = new WireReader();
        final UnsafeBuffer truncated = new UnsafeBuffer(new byte[] {(byte)0x80, (byte)0x80});
        assertThat(reader.wrap(truncated, 0, 2).readVarint()).isZero();
        assertThat(reader.malformed()).isTrue();
        assertThat(reader.hasRemaining()).isFalse();

        final UnsafeBuffer longLength = new UnsafeBuffer(new byte[] {(byte)0x0A, 0x05, 1, 2});
        reader.wrap(longLength, 0, 4);
        assertThat(reader.readTag()).isEqualTo(0x0A);
        assertThat(reader.readLength()).isZero();
        assertThat(reader.malformed()).isTrue();

        final UnsafeBuffer badType = new UnsafeBuffer(new byte[] {(byte)0x0B, 0});
        reader.wrap(badType, 0, 2);
        reader.skipField(reader.readTag());
        assertThat(reader.malformed()).isTrue();

        final byte[] tenBytes = new byte[11];
        java.util.Arrays.fill(tenBytes, (byte)0xFF);
        reader.wrap(new UnsafeBuffer(tenBytes), 0, 11).readVarint();
        assertThat(reader.malformed()).isTrue();

        reader.wrap(new UnsafeBuffer(new byte[4]), 2, 5);
        assertThat(reader.malformed()).isTrue();
        assertThat(reader.hasRemaining()).isFalse();
    }
}
