package io.tandem.node.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

import io.tandem.node.io.CaptureFormatException;
import io.tandem.node.io.Encapsulation;
import io.tandem.node.io.PacketHandler;
import io.tandem.node.io.PcapFileSource;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem replay}: send a capture's Ethernet frames to a mirror feed, each wrapped in VXLAN or GENEVE over
 * UDP, keeping the capture's timing (scaled), at a fixed rate or as fast as possible.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = "Send a capture's Ethernet frames over UDP as VXLAN or GENEVE, e.g. to a node's mirror feed.")
public final class ReplayCommand implements Callable<Integer>
{
    /** Largest UDP payload over IPv4: the encapsulated frame must fit it. */
    static final int MAX_UDP_PAYLOAD = 65_507;
    /** pcap LINKTYPE_ETHERNET: the only link type that can be encapsulated. */
    static final int LINKTYPE_ETHERNET = 1;

    private static final int POLL_LIMIT = 256;
    private static final int SEND_BUFFER_BYTES = 4 * 1024 * 1024;
    private static final long PARK_THRESHOLD_NS = 200_000;
    private static final long SPIN_MARGIN_NS = 100_000;
    private static final double NANOS_PER_SECOND = 1e9;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--pcap", required = true, paramLabel = "FILE", description = "Capture file (pcap or pcapng).")
    private Path pcap;

    @Option(names = "--to", required = true, paramLabel = "HOST:PORT",
        description = "Where to send the datagrams, e.g. node1:4789 or [::1]:6081.")
    private String to;

    @Option(names = "--encap", paramLabel = "vxlan|geneve", defaultValue = "vxlan",
        converter = EncapsulationConverter.class, description = "Encapsulation (default: ${DEFAULT-VALUE}).")
    private Encapsulation encapsulation;

    @Option(names = "--vni", paramLabel = "N", defaultValue = "0",
        description = "Virtual network identifier, 0..16777215 (default: ${DEFAULT-VALUE}).")
    private int vni;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    private Pacing pacing = new Pacing();

    @Option(names = "--from", paramLabel = "N", defaultValue = "1",
        description = "First packet of the capture to send, counted from 1 as pcap_cnt is (default: ${DEFAULT-VALUE}).")
    private long fromPacket;

    @Option(names = "--until", paramLabel = "N", defaultValue = "0",
        description = "Last packet of the capture to send, inclusive; 0 for the end (default: ${DEFAULT-VALUE}). " +
            "With --from, one node of a failover drill gets the packets before the kill, the other the rest.")
    private long untilPacket;

    @Option(names = "--loop", paramLabel = "N", defaultValue = "1",
        description = "Times to send the capture; 0 repeats until killed (default: ${DEFAULT-VALUE}).")
    private int loops;

    /**
     * How fast to send: exactly one of the options, or the capture's own timing.
     */
    static final class Pacing
    {
        @Option(names = "--speed", paramLabel = "X", defaultValue = "1.0",
            description = "Keep the capture's inter-packet timing, scaled: 2 is twice as fast (default: 1.0).")
        double speed = 1.0;

        @Option(names = "--pps", paramLabel = "N", description = "Send at a fixed rate of N frames per second.")
        long pps;

        @Option(names = "--top-speed", description = "Send as fast as possible.")
        boolean topSpeed;
    }

    @Override
    public Integer call()
    {
        final PrintWriter err = spec.commandLine().getErr();
        validate();
        final InetSocketAddress target = parseTarget(to);
        if (target.isUnresolved())
        {
            err.println("tandem: replay: cannot resolve host '" + target.getHostString() + "'");
            return AnalyzeCommand.EXIT_BAD_INPUT;
        }

        final Sender sender = new Sender(target);
        final long startNs = System.nanoTime();
        String warning = null;
        int loopsDone = 0;
        try (DatagramChannel channel = DatagramChannel.open())
        {
            channel.setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER_BYTES);
            sender.channel = channel;
            sender.startNs = startNs;
            while (0 == loops || loopsDone < loops)
            {
                try (PcapFileSource source = PcapFileSource.open(pcap))
                {
                    sender.startLoop();
                    while (!source.isEndOfStream())
                    {
                        source.poll(sender, POLL_LIMIT);
                    }
                    if (source.torn())
                    {
                        warning = source.warning();
                    }
                }
                loopsDone++;
            }
        }
        catch (final CaptureFormatException ex)
        {
            err.println("tandem: replay: " + ex.getMessage());
            return AnalyzeCommand.EXIT_BAD_INPUT;
        }
        catch (final IOException | UncheckedIOException ex)
        {
            err.println("tandem: replay: sending to " + to + " failed after " + sender.framesSent + " frames: " + ex);
            return 1;
        }

        final double seconds = (System.nanoTime() - startNs) / NANOS_PER_SECOND;
        if (null != warning)
        {
            err.println("tandem: replay: warning: " + warning);
        }
        err.printf("tandem: replay: %s -> %s (%s vni %d): %d frames sent, %d bytes, %d loop(s), %.3f s, %.0f pps%n",
            pcap, to, encapsulation.name().toLowerCase(), vni, sender.framesSent, sender.bytesSent, loopsDone,
            seconds, sender.framesSent / Math.max(seconds, 1e-9));
        err.printf("tandem: replay: %d frames skipped: %d not Ethernet%s, %d too large for one datagram%n",
            sender.skippedLinkType + sender.skippedTooLarge, sender.skippedLinkType,
            sender.skippedLinkTypes.isEmpty() ? "" : " (link types " + sender.skippedLinkTypes + ")",
            sender.skippedTooLarge);
        err.flush();
        return 0;
    }

    private void validate()
    {
        if (vni < 0 || vni > Encapsulation.MAX_VNI)
        {
            throw usage("--vni", vni + " (must be 0.." + Encapsulation.MAX_VNI + ")");
        }
        if (!(pacing.speed > 0.0) || Double.isInfinite(pacing.speed))
        {
            throw usage("--speed", pacing.speed + " (must be a positive number)");
        }
        if (pacing.pps < 0)
        {
            throw usage("--pps", pacing.pps + " (must be positive)");
        }
        if (loops < 0)
        {
            throw usage("--loop", loops + " (must be 0 or more)");
        }
        if (fromPacket < 1)
        {
            throw usage("--from", fromPacket + " (packets are counted from 1)");
        }
        if (untilPacket < 0 || (untilPacket > 0 && untilPacket < fromPacket))
        {
            throw usage("--until", untilPacket + " (must be 0 for the end, or at least --from " + fromPacket + ")");
        }
    }

    private InetSocketAddress parseTarget(final String value)
    {
        final int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1)
        {
            throw usage("--to", "'" + value + "' (expected HOST:PORT)");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        final int port;
        try
        {
            port = Integer.parseInt(value.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw usage("--to", "'" + value + "' (port is not a number)");
        }
        if (port < 1 || port > 65_535)
        {
            throw usage("--to", "'" + value + "' (port must be 1..65535)");
        }
        return new InetSocketAddress(host, port);
    }

    private CommandLine.ParameterException usage(final String option, final String detail)
    {
        return new CommandLine.ParameterException(
            spec.commandLine(), "Invalid value for option '" + option + "': " + detail);
    }

    private static void waitUntil(final long targetNs)
    {
        long nowNs;
        while ((nowNs = System.nanoTime()) < targetNs)
        {
            final long remainingNs = targetNs - nowNs;
            if (remainingNs > PARK_THRESHOLD_NS)
            {
                LockSupport.parkNanos(remainingNs - SPIN_MARGIN_NS);
            }
            else
            {
                Thread.onSpinWait();
            }
        }
    }

    private final class Sender implements PacketHandler
    {
        private final InetSocketAddress target;
        private final ByteBuffer datagram = ByteBuffer.allocateDirect(MAX_UDP_PAYLOAD);
        private final UnsafeBuffer datagramBuffer = new UnsafeBuffer(datagram);
        private final int headerLength;
        private final TreeSet<Integer> skippedLinkTypes = new TreeSet<>();
        private DatagramChannel channel;
        private long startNs;
        private long loopStartNs;
        private long loopFirstCaptureNs;
        private boolean loopStarted;
        private long packetNumber;
        private long framesSent;
        private long bytesSent;
        private long skippedLinkType;
        private long skippedTooLarge;

        Sender(final InetSocketAddress target)
        {
            this.target = target;
            headerLength = encapsulation.writeHeader(datagramBuffer, 0, vni);
        }

        void startLoop()
        {
            loopStarted = false;
            packetNumber = 0;
        }

        @Override
        public void onPacket(
            final DirectBuffer frame, final int capturedLength, final int wireLength, final long timestampNs,
            final int linkType)
        {
            packetNumber++;
            if (packetNumber < fromPacket || (untilPacket > 0 && packetNumber > untilPacket))
            {
                return;
            }
            if (LINKTYPE_ETHERNET != linkType)
            {
                skippedLinkType++;
                skippedLinkTypes.add(linkType);
                return;
            }
            final int length = headerLength + capturedLength;
            if (length > MAX_UDP_PAYLOAD)
            {
                skippedTooLarge++;
                return;
            }
            pace(timestampNs);
            frame.getBytes(0, datagramBuffer, headerLength, capturedLength);
            datagram.clear().limit(length);
            try
            {
                channel.send(datagram, target);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            framesSent++;
            bytesSent += capturedLength;
        }

        private void pace(final long timestampNs)
        {
            if (pacing.topSpeed)
            {
                return;
            }
            if (pacing.pps > 0)
            {
                waitUntil(startNs + (long)(framesSent * NANOS_PER_SECOND / pacing.pps));
                return;
            }
            if (!loopStarted)
            {
                loopStarted = true;
                loopStartNs = System.nanoTime();
                loopFirstCaptureNs = timestampNs;
                return;
            }
            final long offsetNs = timestampNs - loopFirstCaptureNs;
            if (offsetNs > 0)
            {
                waitUntil(loopStartNs + (long)(offsetNs / pacing.speed));
            }
        }
    }

    /**
     * Parses {@code vxlan} or {@code geneve}, in any case.
     */
    public static final class EncapsulationConverter implements CommandLine.ITypeConverter<Encapsulation>
    {
        @Override
        public Encapsulation convert(final String value)
        {
            try
            {
                return Encapsulation.byName(value);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CommandLine.TypeConversionException(ex.getMessage());
            }
        }
    }
}
