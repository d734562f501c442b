package io.tandem.node.worker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PacketDispatcherTest
{
    @Test
    void shouldSendBothDirectionsOfAnAddressPairToTheSameWorkerAndSpreadPairs()
    {
        final int[] perWorker = new int[4];
        for (int i = 0; i < 4000; i++)
        {
            final long client = 0x0a00_0000L + i;
            final long server = 0x0b00_0001L + (i % 7);
            final int worker = PacketDispatcher.workerOf(0, client, 0, server, 4);
            assertThat(PacketDispatcher.workerOf(0, server, 0, client, 4)).isEqualTo(worker);
            perWorker[worker]++;
        }
        for (final int count : perWorker)
        {
            assertThat(count).isBetween(800, 1200);
        }
        assertThat(PacketDispatcher.workerOf(1, 2, 3, 4, 1)).isZero();
    }
}
