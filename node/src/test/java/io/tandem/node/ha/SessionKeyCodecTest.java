package io.tandem.node.ha;

import org.junit.jupiter.api.Test;

import io.tandem.node.flow.FlowKey;
import io.tandem.node.decode.Packet;
import io.tandem.node.flow.Flow;
import io.tandem.node.flow.FlowTable;
import io.tandem.proto.ha.v1.Direction;
import io.tandem.proto.ha.v1.SessionKey;

import static org.assertj.core.api.Assertions.assertThat;

class SessionKeyCodecTest
{
    private static final long T0 = 1_700_000_000_000_000_000L;

    private static Packet packet(
        final int protocol, final long srcLo, final int srcPort, final long dstLo, final int dstPort)
    {
        final Packet p = new Packet();
        p.reset();
        p.ipVersion = 4;
        p.protocol = protocol;
        p.srcLo = srcLo;
        p.dstLo = dstLo;
        p.srcPort = srcPort;
        p.dstPort = dstPort;
        p.capturedLength = 60;
        return p;
    }

    @Test
    void shouldGiveTheSameKeyForAFlowFirstSeenFromEitherSide()
    {
        final Packet request = packet(6, 0xc0a8_0001L, 40000, 0x0808_0808L, 443);
        request.vlanCount = 2;
        request.vlanIds[0] = 100;
        request.vlanIds[1] = 7;
        final Packet reply = packet(6, 0x0808_0808L, 443, 0xc0a8_0001L, 40000);
        reply.vlanCount = 2;
        reply.vlanIds[0] = 100;
        reply.vlanIds[1] = 7;

        final Flow seenFromClient = new FlowTable(new FlowTable.Context(), (f, r) -> { }).handle(request, T0);
        final Flow seenFromServer = new FlowTable(new FlowTable.Context(), (f, r) -> { }).handle(reply, T0);

        final SessionKey a = SessionKeyCodec.encode(seenFromClient);
        final SessionKey b = SessionKeyCodec.encode(seenFromServer);
        assertThat(a).isEqualTo(b);
        assertThat(a.toByteArray()).isEqualTo(b.toByteArray());
        assertThat(a.getIpVersion()).isEqualTo(4);
        assertThat(a.getIpProtocol()).isEqualTo(6);
        assertThat(a.getLowerAddrLo()).isEqualTo(0x0808_0808L);
        assertThat(a.getLowerPort()).isEqualTo(443);
        assertThat(a.getUpperAddrLo()).isEqualTo(0xc0a8_0001L);
        assertThat(a.getUpperPort()).isEqualTo(40000);
        assertThat(a.getVlanIdsList()).containsExactly(100, 7);
        assertThat(SessionKeyCodec.direction(seenFromClient)).isEqualTo(Direction.DIRECTION_CLIENT_IS_UPPER);
        assertThat(SessionKeyCodec.direction(seenFromServer)).isEqualTo(Direction.DIRECTION_CLIENT_IS_LOWER);
    }

    @Test
    void shouldRestoreTheOrientedKeyFromKeyAndDirection() throws Exception
    {
        final FlowKey original = new FlowKey().set(6, 17, 0x2001_0db8_0000_0000L, 0x1L, 5353,
            0x2001_0db8_0000_0000L, 0x2L, 53).addVlanId(42);
        final SessionKey key = SessionKeyCodec.encode(original);
        final Direction direction = SessionKeyCodec.direction(original);

        final FlowKey decoded = SessionKeyCodec.decode(SessionKey.parseFrom(key.toByteArray()), direction,
            new FlowKey());

        assertThat(decoded.sameAs(original)).as(decoded + " vs " + original).isTrue();
        assertThat(direction).isEqualTo(Direction.DIRECTION_CLIENT_IS_LOWER);
    }

    @Test
    void shouldRestoreAReversedFlowWhenTheClientIsTheUpperEndpoint() throws Exception
    {
        final FlowKey original = new FlowKey().set(4, 6, 0, 0x0a00_0009L, 1234, 0, 0x0a00_0001L, 80);
        final SessionKey key = SessionKeyCodec.encode(original);
        assertThat(key.getLowerAddrLo()).isEqualTo(0x0a00_0001L);

        final FlowKey decoded = SessionKeyCodec.decode(key, Direction.DIRECTION_CLIENT_IS_UPPER, new FlowKey());

        assertThat(decoded.sameAs(original)).isTrue();
        assertThat(decoded.clientPort()).isEqualTo(1234);
        assertThat(SessionKeyCodec.decode(key, Direction.DIRECTION_UNSPECIFIED, new FlowKey()).clientPort())
            .isEqualTo(80);
    }

    @Test
    void shouldCompareAddressesAsUnsignedAndThenPorts()
    {
        final long highBit = 0xfe80_0000_0000_0000L;
        final SessionKey v6 = SessionKeyCodec.encode(new FlowKey().set(6, 6, highBit, 1, 1, 0x2001L << 48, 1, 2));
        assertThat(v6.getLowerAddrHi()).isEqualTo(0x2001L << 48);
        assertThat(v6.getUpperAddrHi()).isEqualTo(highBit);

        final SessionKey v4 = SessionKeyCodec.encode(new FlowKey().set(4, 6, 0, 0xffff_ffffL, 9, 0, 0x7f00_0001L, 1));
        assertThat(v4.getLowerAddrLo()).isEqualTo(0x7f00_0001L);

        final FlowKey samePortsOrder = new FlowKey().set(4, 17, 0, 5, 2000, 0, 5, 1000);
        final FlowKey reversed = new FlowKey().set(4, 17, 0, 5, 1000, 0, 5, 2000);
        final SessionKey loopback = SessionKeyCodec.encode(samePortsOrder);
        assertThat(loopback).isEqualTo(SessionKeyCodec.encode(reversed));
        assertThat(loopback.getLowerPort()).isEqualTo(1000);
        assertThat(SessionKeyCodec.direction(samePortsOrder)).isEqualTo(Direction.DIRECTION_CLIENT_IS_UPPER);
        assertThat(SessionKeyCodec.direction(reversed)).isEqualTo(Direction.DIRECTION_CLIENT_IS_LOWER);
    }

    @Test
    void shouldKeepDistinctFlowsDistinct()
    {
        final SessionKey base = SessionKeyCodec.encode(new FlowKey().set(4, 6, 0, 1, 10, 0, 2, 20));
        assertThat(SessionKeyCodec.encode(new FlowKey().set(4, 17, 0, 1, 10, 0, 2, 20))).isNotEqualTo(base);
        assertThat(SessionKeyCodec.encode(new FlowKey().set(4, 6, 0, 1, 11, 0, 2, 20))).isNotEqualTo(base);
        assertThat(SessionKeyCodec.encode(new FlowKey().set(4, 6, 0, 1, 10, 0, 2, 20).addVlanId(3)))
            .isNotEqualTo(base);
        assertThat(SessionKeyCodec.encode(new FlowKey().set(6, 6, 0, 1, 10, 0, 2, 20))).isNotEqualTo(base);
    }
}
