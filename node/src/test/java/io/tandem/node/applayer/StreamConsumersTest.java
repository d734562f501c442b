package io.tandem.node.applayer;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.node.flow.FlowEndReason;
import io.tandem.node.synth.SynthManifest;
import io.tandem.node.synth.SynthOptions;
import io.tandem.node.synth.TrafficSynthesizer;
import io.tandem.node.worker.Worker;
import org.junit.jupiter.api.Test;

class StreamConsumersTest
{
    @Test
    void shouldLoadConsumersRegisteredWithTheServiceLoader()
    {
        assertThat(StreamConsumers.load()).hasAtLeastOneElementOfType(CountingStreamConsumer.class);
    }

    @Test
    void shouldFeedServiceLoadedConsumersFromAWorker()
    {
        final long bytesBefore = CountingStreamConsumer.BYTES.get();
        final long eofsBefore = CountingStreamConsumer.EOFS.get();
        final Worker worker = new Worker(new Worker.Context(), (flow, reason) ->
        {
        }, (p, e) ->
        {
        });
        final SynthManifest manifest = new TrafficSynthesizer(new SynthOptions().seed(3).sessions(5).udpPct(0)
            .midstreamPct(0).onesidePct(0).lossPct(0)).generate(worker);
        worker.finish(FlowEndReason.SHUTDOWN);
        long expected = 0;
        for (final SynthManifest.Flow f : manifest.flows())
        {
            expected += f.payloadBytesToServer() + f.payloadBytesToClient();
        }
        assertThat(CountingStreamConsumer.BYTES.get() - bytesBefore).isEqualTo(expected);
        assertThat(CountingStreamConsumer.EOFS.get() - eofsBefore).isEqualTo(2L * manifest.flows().size());
    }
}
