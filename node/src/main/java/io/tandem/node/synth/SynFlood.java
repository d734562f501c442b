package io.tandem.node.synth;

import java.nio.file.Path;

import io.tandem.node.decode.Packet;
import io.tandem.node.io.PacketHandler;
import io.tandem.node.io.PcapFileWriter;

/**
 * A SYN flood from spoofed sources: one SYN (MSS, window scale, SACK-permitted) from each of {@code count} different
 * client addresses and ports to one server port, with seeded sequence numbers, {@link #GAP_NS} apart. Nothing ever
 * answers, so every SYN asks the tracker for a new flow and session: the traffic that shows the flow table and the
 * session pool stay within their memcaps.
 */
public final class SynFlood
{
    /** Time between two SYNs. */
    public static final long GAP_NS = 1_000;
    /** The attacked server, 11.0.0.1. */
    public static final int SERVER = 0x0b000001;
    /** The attacked port. */
    public static final int SERVER_PORT = 80;

    private final FrameBuilder builder = new FrameBuilder();
    private final long seed;

    /**
     * A flood generator.
     *
     * @param seed sequence numbers and source ports are drawn from it.
     */
    public SynFlood(final long seed)
    {
        this.seed = seed;
    }

    /**
     * Hand the SYNs to a handler in time order.
     *
     * @param count   SYNs (different sources) to send.
     * @param startNs time of the first.
     * @param handler receives each Ethernet frame.
     */
    public void generate(final int count, final long startNs, final PacketHandler handler)
    {
        final SynthRandom random = new SynthRandom(SynthRandom.mix(seed ^ 0x5F100DL));
        for (int i = 0; i < count; i++)
        {
            final int source = 0x0a000000 + i;
            final int port = 1024 + random.nextInt(64_000);
            final int length = builder.ethernet(0x0200_0000_0001L, 0x0200_0000_0002L).ipv4(source, SERVER)
                .tcp(port, SERVER_PORT, random.nextInt(), 0, Packet.TH_SYN, 64_240)
                .mss(1460).windowScale(7).sackPermitted().build();
            handler.onPacket(builder.buffer(), length, length, startNs + i * GAP_NS,
                TrafficSynthesizer.LINKTYPE_ETHERNET);
        }
    }

    /**
     * Write the SYNs to a pcap file (Ethernet, microsecond timestamps).
     *
     * @param pcap    file to create or truncate.
     * @param count   SYNs to write.
     * @param startNs time of the first.
     */
    public void generate(final Path pcap, final int count, final long startNs)
    {
        try (PcapFileWriter writer = new PcapFileWriter(pcap, TrafficSynthesizer.LINKTYPE_ETHERNET, false))
        {
            generate(count, startNs, (frame, capturedLength, wireLength, timestampNs, linkType) ->
                writer.write(frame, 0, capturedLength, wireLength, timestampNs));
        }
    }
}
