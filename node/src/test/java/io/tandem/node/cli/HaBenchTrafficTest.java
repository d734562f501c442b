package io.tandem.node.cli;

import io.tandem.proto.ha.v1.SessionDelete;
import io.tandem.proto.ha.v1.SessionMessage;
import io.tandem.proto.wire.SessionMessageReader;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HaBenchTrafficTest
{
    @Test
    void shouldReadTheLastPacketTimeFromAnUpdateReadInPlaceAsFromItsMessage() throws Exception
    {
        final HaBenchTraffic.Templates templates = new HaBenchTraffic(20).templates();
        final SessionMessageReader reader = new SessionMessageReader();
        for (int s = 0; s < 20; s++)
        {
            final long timeNs = 1_000_000_000L * (s + 1) + s;
            templates.stamp(s, timeNs);
            final byte[] bytes = new byte[templates.lengths()[s]];
            templates.buffer().getBytes(templates.offsets()[s], bytes);

            assertThat(HaBenchTraffic.stampOf(SessionMessage.parseFrom(bytes))).isEqualTo(timeNs);
            assertThat(reader.wrap(templates.buffer(), templates.offsets()[s], templates.lengths()[s])).isTrue();
            assertThat(HaBenchTraffic.stampOf(reader)).isEqualTo(timeNs);
        }
        final byte[] delete = SessionMessage.newBuilder().setDelete(SessionDelete.getDefaultInstance()).build()
            .toByteArray();
        assertThat(reader.wrap(new UnsafeBuffer(delete), 0, delete.length)).isTrue();
        assertThat(HaBenchTraffic.stampOf(reader)).isZero();
    }
}
