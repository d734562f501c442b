package io.tandem.node.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.tandem.node.applayer.AppProtoDetector;
import io.tandem.node.applayer.StreamConsumer;
import io.tandem.node.applayer.StreamConsumers;
import io.tandem.node.decode.DecodeContext;
import io.tandem.node.decode.DecoderEvent;
import io.tandem.node.decode.DecoderEventListener;
import io.tandem.node.decode.Packet;
import io.tandem.node.decode.PacketDecoder;
import io.tandem.node.defrag.DefragContext;
import io.tandem.node.defrag.Defragmenter;
import io.tandem.node.flow.Flow;
import io.tandem.node.flow.FlowEndListener;
import io.tandem.node.flow.FlowEndReason;
import io.tandem.node.flow.FlowTable;
import io.tandem.node.ha.AppLayerRecordProvider;
import io.tandem.node.ha.HaContext;
import io.tandem.node.ha.HaEnvelopes;
import io.tandem.node.ha.HaManager;
import io.tandem.node.ha.HaMessageSink;
import io.tandem.node.ha.HaSideChannel;
import io.tandem.node.ha.spi.HaRecordRegistry;
import io.tandem.node.io.PacketHandler;
import io.tandem.node.io.PacketSource;
import io.tandem.node.stats.StatsSink;
import io.tandem.node.stats.StatsSource;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.TcpEventListener;
import io.tandem.node.tcp.reassembly.Reassembler;
import org.agrona.DirectBuffer;

/**
 * One worker's pipeline: decode, defragment, flow table, TCP stream engine, reassembly and HA. It owns every
 * structure it touches, so the per-packet path takes no lock and allocates nothing. Several workers run side by side
 * in a {@link WorkerGroup}, each fed its shard of the flows by a {@link PacketDispatcher}.
 * <p>
 * Time is the packets' own: flows and fragment trackers are expired as packet time passes each second, so a capture
 * file replays the same way however fast it is read.
 */
public final class Worker implements PacketHandler, StatsSource
{
    private static final int DRAIN_BATCH = 256;
    private static final long EXPIRY_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    private final Packet packet = new Packet();
    private final PacketDecoder decoder;
    private final Defragmenter defragmenter;
    private final FlowTable flowTable;
    private final DecoderEventListener eventListener;
    private final TcpEngine tcpEngine;
    private final Reassembler reassembler;
    private final AppProtoDetector appProtoDetector;
    private HaManager haManager;
    private AppLayerRecordProvider appLayerRecord;
    private HaSideChannel sideChannel;

    private long packetsSeen;
    private long packetsWithoutFlow;
    private long udpFlowsReversed;
    private long tcpVerdictDrops;
    private long nextExpiryNs = Long.MIN_VALUE;
    private long lastTimestampNs;

    /**
     * Settings of a worker: one Context per stage.
     */
    public static final class Context
    {
        private DecodeContext decode = new DecodeContext();
        private DefragContext defrag = new DefragContext();
        private FlowTable.Context flow = new FlowTable.Context();
        private TcpEngine.Context tcp = new TcpEngine.Context();
        private Reassembler.Context reassembly = new Reassembler.Context();
        private final List<StreamConsumer> streamConsumers = new ArrayList<>();
        private boolean loadStreamConsumers = true;

        /**
         * Reassembly settings.
         *
         * @param value the settings.
         * @return this.
         */
        public Context reassembly(final Reassembler.Context value)
        {
            reassembly = value;
            return this;
        }

        /**
         * Add a stream consumer (besides those registered with {@link java.util.ServiceLoader}).
         *
         * @param consumer the consumer.
         * @return this.
         */
        public Context streamConsumer(final StreamConsumer consumer)
        {
            streamConsumers.add(consumer);
            return this;
        }

        /**
         * Whether to load the stream consumers registered with {@link java.util.ServiceLoader}.
         *
         * @param value on or off (on by default).
         * @return this.
         */
        public Context loadStreamConsumers(final boolean value)
        {
            loadStreamConsumers = value;
            return this;
        }

        /**
         * Decoder settings.
         *
         * @param value the settings.
         * @return this.
         */
        public Context decode(final DecodeContext value)
        {
            decode = value;
            return this;
        }

        /**
         * Decoder settings.
         *
         * @return the settings.
         */
        public DecodeContext decode()
        {
            return decode;
        }

        /**
         * Defragmenter settings.
         *
         * @param value the settings.
         * @return this.
         */
        public Context defrag(final DefragContext value)
        {
            defrag = value;
            return this;
        }

        /**
         * Flow table settings.
         *
         * @param value the settings.
         * @return this.
         */
        public Context flow(final FlowTable.Context value)
        {
            flow = value;
            return this;
        }

        /**
         * TCP stream engine settings.
         *
         * @param value the settings.
         * @return this.
         */
        public Context tcp(final TcpEngine.Context value)
        {
            tcp = value;
            return this;
        }
    }

    /**
     * Build a worker; stream events go to the decoder event listener when it also is a {@link TcpEventListener}.
     *
     * @param ctx           settings of every stage.
     * @param flowListener  told about every flow that ends.
     * @param eventListener told about every decoder event.
     */
    public Worker(final Context ctx, final FlowEndListener flowListener, final DecoderEventListener eventListener)
    {
        this(ctx, flowListener, eventListener,
            eventListener instanceof TcpEventListener tcpListener ? tcpListener : TcpEventListener.NONE);
    }

    /**
     * Build a worker.
     *
     * @param ctx           settings of every stage.
     * @param flowListener  told about every flow that ends (before its TCP session is released).
     * @param eventListener told about every decoder event.
     * @param tcpListener   told about every stream event.
     */
    public Worker(
        final Context ctx,
        final FlowEndListener flowListener,
        final DecoderEventListener eventListener,
        final TcpEventListener tcpListener)
    {
        final List<StreamConsumer> consumers = new ArrayList<>(ctx.streamConsumers);
        if (ctx.loadStreamConsumers)
        {
            consumers.addAll(StreamConsumers.load());
        }
        AppProtoDetector detector = null;
        for (final StreamConsumer consumer : consumers)
        {
            if (consumer instanceof AppProtoDetector d && detector == null)
            {
                detector = d;
            }
        }
        appProtoDetector = detector;
        decoder = new PacketDecoder(ctx.decode);
        defragmenter = new Defragmenter(ctx.defrag);
        flowTable = new FlowTable(ctx.flow, (flow, reason) ->
        {
            flushStreams(flow);
            flowListener.onFlowEnd(flow, reason);
            if (haManager != null)
            {
                haManager.onFlowEnd(flow, reason);
            }
            if (appProtoDetector != null)
            {
                appProtoDetector.remove(flow);
            }
            releaseSession(flow);
        });
        tcpEngine = new TcpEngine(ctx.tcp, flowTable, tcpListener);
        reassembler = new Reassembler(ctx.reassembly, tcpEngine, consumers);
        flowTable.reuseCheck(tcpEngine);
        this.eventListener = eventListener;
    }

    private void flushStreams(final Flow flow)
    {
        if (reassembler != null)
        {
            reassembler.flowEnd(flow);
        }
    }

    /**
     * Turn HA on for this worker: an {@link HaManager} marks changes as packets are processed, sends due updates at
     * the end of each batch ({@link #endOfBatch()}) and on the worker's one-second timer, deletes when owned flows
     * end, and promotes standby flows on their first packet. When one of the worker's stream consumers is an
     * {@link AppProtoDetector}, its detection state is replicated too ({@link AppLayerRecordProvider}, registered
     * after Tandem's flow and TCP records), and a protocol identified is a critical change.
     *
     * @param ctx      HA settings.
     * @param registry the worker's record registry (Tandem's records are registered in it here).
     * @param sink     where generated envelopes go.
     * @return the manager (to prime it from a file or apply received envelopes).
     */
    public HaManager enableHa(final HaContext ctx, final HaRecordRegistry registry, final HaMessageSink sink)
    {
        return enableHa(ctx, registry, sink, null);
    }

    /**
     * Turn HA on with the Aeron side channel besides a sink (an HA file, or {@link HaMessageSink#NONE}): as
     * {@link #enableHa(HaContext, HaRecordRegistry, HaMessageSink)}, and the manager's messages also go to the side
     * channel, which this worker drains in {@link #haWork(long)} (received messages applied, unsent ones requeued,
     * resyncs served).
     *
     * @param ctx         HA settings.
     * @param registry    the worker's record registry (Tandem's records are registered in it here).
     * @param sink        where generated envelopes go besides the side channel.
     * @param sideChannel the side channel, or null for none.
     * @return the manager.
     */
    public HaManager enableHa(
        final HaContext ctx, final HaRecordRegistry registry, final HaMessageSink sink, final HaSideChannel sideChannel)
    {
        final HaMessageSink managerSink = sideChannel == null ? sink :
            sink == HaMessageSink.NONE ? sideChannel : HaMessageSink.both(sink, sideChannel);
        haManager = new HaManager(ctx, flowTable, tcpEngine, registry, managerSink,
            HaEnvelopes.of(ctx, System.currentTimeMillis()));
        if (appProtoDetector != null)
        {
            appLayerRecord = new AppLayerRecordProvider(appProtoDetector, haManager, this::lastTimestampNs);
            registry.register(appLayerRecord);
        }
        if (sideChannel != null)
        {
            sideChannel.bind(haManager);
        }
        this.sideChannel = sideChannel;
        return haManager;
    }

    /**
     * The side channel's share of a duty cycle ({@link HaSideChannel#doWork(long)}): apply the messages peers sent,
     * hand unsent ones back to the manager, write the next part of a resync a peer asked for. Called by
     * {@link WorkerAgent} with the clock and by {@link #drain(PacketSource)} with packet time.
     *
     * @param nowNs current time.
     * @return work done, 0 without a side channel.
     */
    public int haWork(final long nowNs)
    {
        return sideChannel == null ? 0 : sideChannel.doWork(nowNs);
    }

    /**
     * The side channel this worker drains.
     *
     * @return the side channel, or null.
     */
    public HaSideChannel sideChannel()
    {
        return sideChannel;
    }

    /**
     * The worker's HA manager.
     *
     * @return the manager, or null when HA is off.
     */
    public HaManager haManager()
    {
        return haManager;
    }

    /**
     * End of a batch of packets: the HA manager sends the updates that are due.
     */
    public void endOfBatch()
    {
        if (haManager != null)
        {
            haManager.flush(lastTimestampNs);
        }
    }

    private void releaseSession(final Flow flow)
    {
        if (tcpEngine != null)
        {
            tcpEngine.release(flow);
        }
    }

    @Override
    public void onPacket(
        final DirectBuffer frame, final int capturedLength, final int wireLength, final long timestampNs,
        final int linkType)
    {
        process(frame, 0, capturedLength, wireLength, timestampNs, linkType, packetsSeen + 1);
        tick(timestampNs);
    }

    /**
     * A packet a {@link PacketDispatcher} handed to this worker: processed as {@link #onPacket} does, but numbered as
     * in the capture and without running the timer (the dispatcher broadcasts the ticks, so every worker expires its
     * flows at the same packet times as a single worker would).
     *
     * @param buffer         holds the frame.
     * @param offset         of the frame in the buffer.
     * @param capturedLength bytes captured.
     * @param wireLength     bytes on the wire.
     * @param timestampNs    capture time.
     * @param linkType       the capture's link type.
     * @param packetNumber   the packet's number in the capture (1-based).
     */
    public void onDispatchedPacket(
        final DirectBuffer buffer,
        final int offset,
        final int capturedLength,
        final int wireLength,
        final long timestampNs,
        final int linkType,
        final long packetNumber)
    {
        process(buffer, offset, capturedLength, wireLength, timestampNs, linkType, packetNumber);
    }

    private void process(
        final DirectBuffer frame,
        final int offset,
        final int capturedLength,
        final int wireLength,
        final long timestampNs,
        final int linkType,
        final long packetNumber)
    {
        final Packet p = packet;
        p.reset();
        p.buffer.wrap(frame, offset, capturedLength);
        p.capturedLength = capturedLength;
        p.wireLength = wireLength;
        p.timestampNs = timestampNs;
        p.linkType = linkType;
        p.packetNumber = packetNumber;
        packetsSeen++;
        lastTimestampNs = timestampNs;

        boolean usable = decoder.decode(p);
        if (usable && p.fragment)
        {
            final int result = defragmenter.insert(p, timestampNs);
            publishEvents(p);
            usable = false;
            if (result == Defragmenter.COMPLETE)
            {
                final int outerLength = p.l3Offset;
                usable = decoder.decodeReassembled(p, defragmenter.reassembled(), defragmenter.reassembledLength());
                p.capturedLength = outerLength + defragmenter.reassembledLength();
            }
        }
        publishEvents(p);

        if (usable && !p.invalid && !p.fragment && p.protocol >= 0)
        {
            final Flow flow = flowTable.handle(p, timestampNs);
            if (flow == null)
            {
                packetsWithoutFlow++;
            }
            else
            {
                final int direction = flowTable.lastDirection();
                int verdict = TcpEngine.VERDICT_PASS;
                if (p.isTcp())
                {
                    verdict = tcpEngine.handle(p, flow, direction);
                    if (reassembler.handle(p, flow, direction == Flow.TO_SERVER, tcpEngine.lastAccepted()) ==
                        TcpEngine.VERDICT_DROP)
                    {
                        verdict = TcpEngine.VERDICT_DROP;
                    }
                    if (verdict == TcpEngine.VERDICT_DROP)
                    {
                        tcpVerdictDrops++;
                    }
                }
                else if (p.isUdp())
                {
                    reassembler.datagram(p, flow, direction == Flow.TO_SERVER);
                    if (appProtoDetector != null && appProtoDetector.takeReverseRequest(flow))
                    {
                        flowTable.swap(flow);
                        reassembler.directionReversed(flow);
                        udpFlowsReversed++;
                    }
                }
                if (haManager != null)
                {
                    haManager.onPacket(flow, verdict, timestampNs);
                }
            }
        }
    }

    /**
     * Time passes: at most once a second, expire idle flows and fragment trackers and run the HA manager's timer.
     * Called for every packet with its timestamp, and by a live source's agent with the clock when no packet comes.
     *
     * @param nowNs current time (packet time or wall clock).
     */
    public void tick(final long nowNs)
    {
        if (nowNs >= nextExpiryNs)
        {
            flowTable.expire(nowNs);
            defragmenter.expire(nowNs);
            if (haManager != null)
            {
                haManager.onTimer(nowNs);
            }
            nextExpiryNs = nowNs + EXPIRY_INTERVAL_NS;
        }
    }

    /**
     * Read a finite source (a capture file) to its end through this worker, then end every live flow with reason
     * {@code shutdown}.
     *
     * @param source the source; not closed here.
     * @return packets the source delivered.
     */
    public long drain(final PacketSource source)
    {
        long packets = 0;
        while (!source.isEndOfStream())
        {
            packets += source.poll(this, DRAIN_BATCH);
            endOfBatch();
            haWork(lastTimestampNs);
        }
        finish(FlowEndReason.SHUTDOWN);
        return packets;
    }

    /**
     * End of input: every live flow ends with the given reason. With HA on and {@link FlowEndReason#SHUTDOWN}, the
     * sessions are handed over first: each owned TCP session's data queued in order is inspected
     * ({@link Reassembler#handOver(Flow)}, so the last updates carry what this node saw, app-layer detection
     * included), then every pending update is sent (throttles ignored); no deletes are sent, so a peer can take the
     * flows over.
     *
     * @param reason {@link FlowEndReason#SHUTDOWN} at the end of a capture file.
     * @return number of flows ended.
     */
    public int finish(final FlowEndReason reason)
    {
        if (haManager != null)
        {
            if (reason == FlowEndReason.SHUTDOWN)
            {
                flowTable.forEachFlow(this::handOver);
            }
            haManager.shutdown(lastTimestampNs);
        }
        final int ended = flowTable.flushAll(reason);
        if (haManager != null)
        {
            haManager.flush(lastTimestampNs);
        }
        return ended;
    }

    private void handOver(final Flow flow)
    {
        if (!flow.standby())
        {
            reassembler.handOver(flow);
            haManager.handedOver(flow, lastTimestampNs);
        }
    }

    /**
     * Packets handed to this worker.
     *
     * @return the count.
     */
    public long packetsSeen()
    {
        return packetsSeen;
    }

    /**
     * Timestamp of the last packet.
     *
     * @return nanoseconds since the epoch.
     */
    public long lastTimestampNs()
    {
        return lastTimestampNs;
    }

    /**
     * The worker's flow table.
     *
     * @return the table.
     */
    public FlowTable flowTable()
    {
        return flowTable;
    }

    /**
     * The worker's stream reassembler.
     *
     * @return the reassembler.
     */
    public Reassembler reassembler()
    {
        return reassembler;
    }

    /**
     * The TCP engine.
     *
     * @return the engine.
     */
    public TcpEngine tcpEngine()
    {
        return tcpEngine;
    }

    /**
     * Packets the TCP engine's verdict would drop (inline mode).
     *
     * @return the count.
     */
    public long tcpVerdictDrops()
    {
        return tcpVerdictDrops;
    }

    @Override
    public void reportStats(final StatsSink sink)
    {
        decoder.reportStats(sink);
        defragmenter.reportStats(sink);
        flowTable.reportStats(sink);
        tcpEngine.reportStats(sink);
        reassembler.reportStats(sink);
        sink.counter("flow.no_flow_memcap", packetsWithoutFlow);
        sink.counter("udp.flow_reversed", udpFlowsReversed);
        if (haManager != null)
        {
            haManager.reportStats(sink);
        }
        if (appLayerRecord != null)
        {
            sink.counter("ha.sessions.applayer_restored", appLayerRecord.restored());
        }
        if (sideChannel != null)
        {
            sideChannel.reportStats(sink);
        }
    }

    private void publishEvents(final Packet p)
    {
        for (int i = 0; i < p.eventCount; i++)
        {
            eventListener.onDecoderEvent(p, DecoderEvent.fromOrdinal(p.events[i]));
        }
        p.eventCount = 0;
    }
}
