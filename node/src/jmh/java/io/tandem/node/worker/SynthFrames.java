package io.tandem.node.worker;

import java.util.concurrent.TimeUnit;

import io.tandem.node.io.PacketHandler;
import io.tandem.node.synth.SynthOptions;
import io.tandem.node.synth.TrafficSynthesizer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A seeded traffic mix (TCP and UDP, IPv4 and IPv6, VLANs, fragments, loss, reordering) generated into memory once and
 * replayed in a loop to a {@link PacketHandler}, each cycle shifted in time past the previous one so flows time out
 * and start again as they would in a longer capture. Nothing is allocated per frame.
 */
final class SynthFrames
{
    private static final int MAX_FRAMES = 200_000;

    private final UnsafeBuffer frames = new UnsafeBuffer(new byte[64 * 1024 * 1024]);
    private final int[] offsets = new int[MAX_FRAMES];
    private final int[] lengths = new int[MAX_FRAMES];
    private final long[] timestamps = new long[MAX_FRAMES];
    private final UnsafeBuffer frame = new UnsafeBuffer(0, 0);
    private final long span;
    private int count;
    private int next;
    private long cycleOffsetNs;

    SynthFrames()
    {
        new TrafficSynthesizer(new SynthOptions().seed(5).sessions(3000).concurrency(300).udpPct(20).ipv6Pct(20)
            .vlanPct(20).fragPct(5)).generate((buffer, capturedLength, wireLength, timestampNs, linkType) ->
            {
                final int offset = count == 0 ? 0 : offsets[count - 1] + lengths[count - 1];
                buffer.getBytes(0, frames, offset, capturedLength);
                offsets[count] = offset;
                lengths[count] = capturedLength;
                timestamps[count] = timestampNs;
                count++;
            });
        span = timestamps[count - 1] - timestamps[0] + TimeUnit.HOURS.toNanos(1);
    }

    /**
     * Hand the next frame (Ethernet) to a handler, wrapping around at the end of the mix.
     *
     * @param handler takes the frame.
     */
    void feedNext(final PacketHandler handler)
    {
        final int i = next;
        if (++next == count)
        {
            next = 0;
            cycleOffsetNs += span;
        }
        frame.wrap(frames, offsets[i], lengths[i]);
        handler.onPacket(frame, lengths[i], lengths[i], timestamps[i] + cycleOffsetNs, 1);
    }
}
