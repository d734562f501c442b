package io.tandem.node.demo;

import io.tandem.node.applayer.StreamConsumer;
import io.tandem.node.flow.Flow;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StreamLedgerTest
{
    private final UnsafeBuffer data = new UnsafeBuffer(new byte[1000]);

    @Test
    void shouldCountTheBytesAndGapsOfAStreamFromAnOffsetOnCuttingRunsThatStraddleIt()
    {
        final StreamLedger ledger = new StreamLedger(true);
        final Flow flow = new Flow();
        ledger.onData(flow, true, data, 0, 100, 0);
        ledger.onData(flow, true, null, 0, 50, StreamConsumer.FLAG_GAP);
        ledger.onData(flow, true, data, 0, 200, 0);
        ledger.onData(flow, false, data, 0, 30, 0);
        ledger.onData(flow, true, null, 0, 0, StreamConsumer.FLAG_EOF);

        final StreamLedger.Streams streams = ledger.remove(flow);

        assertThat(streams.bytes).containsExactly(300, 30);
        assertThat(streams.gapBytes).containsExactly(50, 0);
        assertThat(streams.bytesFrom(0, 0)).isEqualTo(300);
        assertThat(streams.bytesFrom(0, 60)).isEqualTo(240);
        assertThat(streams.gapBytesFrom(0, 60)).isEqualTo(50);
        assertThat(streams.gapBytesFrom(0, 120)).isEqualTo(30);
        assertThat(streams.bytesFrom(0, 120)).isEqualTo(200);
        assertThat(streams.bytesFrom(0, 350)).isZero();
        assertThat(streams.bytesFrom(1, 10)).isEqualTo(20);
    }

    @Test
    void shouldForgetAFlowOnceRemoved()
    {
        final StreamLedger ledger = new StreamLedger(false);
        final Flow flow = new Flow();
        ledger.onData(flow, false, data, 0, 10, 0);

        assertThat(ledger.peek(flow).bytes[1]).isEqualTo(10);
        assertThat(ledger.remove(flow).bytes[1]).isEqualTo(10);
        assertThat(ledger.peek(flow).bytes[1]).isZero();
    }
}
