package io.tandem.node.tcp.reassembly;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;

import io.tandem.node.applayer.StreamConsumer;
import io.tandem.node.config.TandemConfig;
import io.tandem.node.flow.Flow;
import io.tandem.node.flow.FlowEndReason;
import io.tandem.node.flow.FlowKey;
import io.tandem.node.synth.SynthAnomaly;
import io.tandem.node.synth.SynthManifest;
import io.tandem.node.synth.SynthOptions;
import io.tandem.node.synth.TrafficSynthesizer;
import io.tandem.node.worker.Worker;
import io.tandem.node.worker.WorkerContexts;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;

/**
 * Whole synthetic captures (reordering, retransmissions, overlaps, sequence wrap, fragments, RST closes) through a
 * worker: every reassembled direction must match the synthesiser's payload CRC32C byte for byte.
 */
class ReassemblySynthTest
{
    private static final class Stream
    {
        final CRC32C crc = new CRC32C();
        long bytes;
        long gapBytes;
    }

    private static final class Collector implements StreamConsumer
    {
        final Map<String, Stream[]> streams = new HashMap<>();
        final byte[] scratch = new byte[1 << 16];

        @Override
        public void onData(
            final Flow flow, final boolean toServer, final DirectBuffer buffer, final int offset, final int length,
            final int flags)
        {
            final FlowKey k = flow.key();
            final String key = k.clientHi() + "/" + k.clientLo() + ":" + k.clientPort() + ">" + k.serverHi() + "/" +
                k.serverLo() + ":" + k.serverPort();
            final Stream[] pair = streams.computeIfAbsent(key, x -> new Stream[] { new Stream(), new Stream() });
            final Stream s = pair[toServer ? 0 : 1];
            if ((flags & FLAG_GAP) != 0)
            {
                s.gapBytes += length;
            }
            else if (buffer != null)
            {
                buffer.getBytes(offset, scratch, 0, length);
                s.crc.update(scratch, 0, length);
                s.bytes += length;
            }
        }
    }

    private static Collector run(final SynthOptions options, final String... sets)
    {
        final Collector collector = new Collector();
        final java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(
            "stream.checksum-validation=no", "stream.reassembly.depth=0"));
        all.addAll(java.util.List.of(sets));
        final Worker worker = new Worker(WorkerContexts.from(TandemConfig.fromYaml("{}", "test", all))
            .loadStreamConsumers(false).streamConsumer(collector), (flow, reason) ->
            {
            }, (p, e) ->
            {
            });
        final SynthManifest manifest = new TrafficSynthesizer(options).generate(worker);
        worker.finish(FlowEndReason.SHUTDOWN);
        MANIFEST.set(manifest);
        assertThat(worker.reassembler().pool().inUse()).isZero();
        return collector;
    }

    private static final ThreadLocal<SynthManifest> MANIFEST = new ThreadLocal<>();

    private static String key(final SynthManifest.Flow f)
    {
        return f.srcHi() + "/" + f.srcLo() + ":" + f.srcPort() + ">" + f.dstHi() + "/" + f.dstLo() + ":" + f.dstPort();
    }

    private static SynthOptions options()
    {
        return new SynthOptions().seed(42).sessions(300).concurrency(40).midstreamPct(0).onesidePct(0).udpPct(0)
            .lossPct(0).reorderPct(15).retransPct(15).overlapPct(15).wrapPct(30).fragPct(5).rstPct(10)
            .responseMaxBytes(60_000).maxExchanges(3);
    }

    @Test
    void shouldReassembleEveryDirectionByteExactInIdsMode()
    {
        assertByteExact(run(options()));
    }

    @Test
    void shouldReassembleEveryDirectionByteExactInInlineMode()
    {
        assertByteExact(run(options(), "stream.inline=yes"));
    }

    private static void assertByteExact(final Collector c)
    {
        final SynthManifest manifest = MANIFEST.get();
        int checked = 0;
        for (final SynthManifest.Flow f : manifest.flows())
        {
            if (f.protocol() != 6 || f.reversed())
            {
                continue;
            }
            final Stream[] pair = c.streams.get(key(f));
            assertThat(pair).as("flow %s", key(f)).isNotNull();
            assertThat(pair[0].bytes).as("to server %s", key(f)).isEqualTo(f.payloadBytesToServer());
            assertThat(pair[0].crc.getValue()).as("to server %s", key(f)).isEqualTo(f.payloadCrcToServer());
            assertThat(pair[1].bytes).as("to client %s", key(f)).isEqualTo(f.payloadBytesToClient());
            assertThat(pair[1].crc.getValue()).as("to client %s", key(f)).isEqualTo(f.payloadCrcToClient());
            assertThat(pair[0].gapBytes + pair[1].gapBytes).isZero();
            checked++;
        }
        assertThat(checked).isGreaterThan(250);
        assertThat(manifest.flowsWith(SynthAnomaly.OVERLAP)).isNotEmpty();
        assertThat(manifest.flowsWith(SynthAnomaly.SEQ_WRAP)).isNotEmpty();
    }

    @Test
    void shouldAccountLostDataAsGaps()
    {
        final Collector c = run(options().lossPct(30));
        final SynthManifest manifest = MANIFEST.get();
        int lossy = 0;
        for (final SynthManifest.Flow f : manifest.flowsWith(SynthAnomaly.LOSS))
        {
            if (f.protocol() != 6 || f.reversed())
            {
                continue;
            }
            final Stream[] pair = c.streams.get(key(f));
            assertThat(pair[0].bytes).isEqualTo(f.capturedPayloadBytesToServer());
            assertThat(pair[1].bytes).isEqualTo(f.capturedPayloadBytesToClient());
            lossy++;
        }
        assertThat(lossy).isGreaterThan(10);
    }
}
