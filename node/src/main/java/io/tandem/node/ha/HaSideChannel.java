package io.tandem.node.ha;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.tandem.node.config.ConfigException;
import io.tandem.node.config.TandemConfig;
import io.tandem.node.flow.FlowTable;
import io.tandem.node.stats.StatsSink;
import io.tandem.node.stats.StatsSource;
import io.tandem.proto.ha.v1.Envelope;
import io.tandem.proto.ha.v1.SessionMessage;
import io.tandem.proto.wire.SessionMessageReader;
import io.tandem.transport.ChannelMode;
import io.tandem.transport.HaTransport;
import io.tandem.transport.PeerState;
import io.tandem.transport.ResyncSink;
import io.tandem.transport.ResyncSource;
import io.tandem.transport.TransportCounter;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The HA manager's side channel ({@code ha.use-side-channel}): the bridge between one worker's {@link HaManager} and
 * the Aeron transport of the ha-transport module ({@link HaTransport}).
 * <p>
 * <b>Use</b>, one side channel per worker ({@code tandem run} has one worker):
 * <pre>{@code
 * HaTransport.Context transportCtx = HaSideChannel.transportContext(config);    // or built by hand
 * try (HaSideChannel channel = HaSideChannel.launch(transportCtx))               // starts the transport
 * {
 *     HaManager manager = worker.enableHa(haCtx, registry, HaMessageSink.NONE, channel);
 *     channel.transport().startAgentRunner();   // or compose channel.transport().agent() into another runner
 *     // the worker's duty cycle (WorkerAgent, Worker.drain) calls worker.haWork(nowNs), which calls doWork(nowNs)
 *     boolean ready = channel.isReady();        // start-up resync ended and applied: the admin /ready
 * }
 * }</pre>
 * <p>
 * <b>Envelopes</b>: on this path the transport owns them. The manager hands its batches to
 * {@link #onSessions(HaMessageBatch, long, HaEnvelopes)}, which offers each session message's bytes to the transport;
 * the transport batches them into envelopes of its own (version, cluster, node, epoch, sequence, timestamp, HMAC) and
 * checks the envelopes it receives, so the manager neither builds nor sequences envelopes for the wire, and received
 * messages are copied into a ring buffer and applied one by one, read in place
 * ({@link HaManager#apply(DirectBuffer, int, int, long)}): no message object is made on either way. HA files
 * ({@code ha.runtime-output-file}) keep the manager's envelopes ({@link HaEnvelopes}, {@link HaMessageSink#both}).
 * <p>
 * <b>Threads</b>: {@link #onSessions} and {@link #doWork(long)} run on the worker thread; the transport's handlers
 * (messages received, messages it could not send, resync reads) run on the transport agent's thread and touch no
 * worker state: they hand over through queues and a ring buffer that the worker drains in {@link #doWork(long)}.
 * {@link #isReady()}, {@link #status()} and the transport's counters may be read from any thread.
 * <p>
 * <b>Nothing is lost silently</b>: a message the transport's ring refuses, or that the transport gives back (its
 * publication lost its peer with the message in flight), goes back to the manager ({@link HaManager#requeue}) at
 * most every {@value #RETRY_INTERVAL_MS} ms, so its session stays pending and is sent again. The manager is paced
 * first: {@link #hasRoom()} keeps it from handing over more than half the ring holds. A received message the
 * worker's inbound ring has no room for is dropped, counted, and repaired by asking its sender for a resync. A message
 * longer than the transport takes is counted ({@code ha.side_channel.oversize}).
 * <p>
 * <b>No peer</b>: while the transport's publication has no connected peer, nothing is offered and nothing churns:
 * the manager builds no updates ({@link #connected()}), an update that still comes (an HA file sink beside this one,
 * a message given back) is dropped and counted ({@code ha.side_channel.unsent_no_peer}), and deletes wait, without
 * retries, until a peer is connected ({@code ha.side_channel.deletes_parked}). The peer that connects asks for a
 * resync (a new node, a lost image, a peer heard again after its timeout) and gets every owned session from it.
 * <p>
 * <b>Resync</b> (the transport's {@link ResyncSource}): when a peer asks for every session this node owns, the
 * transport thread only signals the worker; the worker walks its flow table a few buckets per duty cycle
 * ({@link HaManager#snapshotOwned}), writes full-state updates into a ring buffer and then an end marker, and the
 * transport streams them between its begin and end markers. While a resync is served, the worker's ordinary messages
 * go through the same ring behind the snapshots, and those made after the end marker wait until the transport has
 * read it, so a peer does not get a session's older snapshot after a newer update (unless back pressure holds the
 * last resync batch back, in which case the session's next update puts it right).
 */
public final class HaSideChannel implements HaMessageSink, StatsSource, AutoCloseable
{
    /** Least time between two hand-backs of unsent messages to the manager, in milliseconds. */
    public static final int RETRY_INTERVAL_MS = 100;
    /** Bytes of received messages the worker's inbound ring holds (about 40,000 updates of Tandem's records). */
    public static final int INBOUND_RING_BYTES = 8 * 1024 * 1024;
    /** Shortest cluster key accepted from {@code ha.auth-key-file}: the HMAC-SHA256 output length. */
    public static final int MIN_KEY_BYTES = 32;
    /** Deletes kept while no peer is connected, to be sent once one is; beyond that they are dropped (counted). */
    public static final int MAX_PARKED_DELETES = 65_536;

    private static final long NS_PER_MS = 1_000_000L;

    private static final long RETRY_INTERVAL_NS = RETRY_INTERVAL_MS * 1_000_000L;
    private static final int RESYNC_RING_BYTES = 256 * 1024;
    private static final int APPLY_LIMIT = 4096;
    private static final int SNAPSHOT_MESSAGES = 256;
    private static final int SESSION_RECORD = 1;
    private static final int END_RECORD = 2;

    private final HaTransport transport;
    private final OneToOneRingBuffer inbound = new OneToOneRingBuffer(new UnsafeBuffer(
        ByteBuffer.allocateDirect(INBOUND_RING_BYTES + RingBufferDescriptor.TRAILER_LENGTH)));
    private final MessageHandler applier = this::applyInbound;
    private final ConcurrentLinkedQueue<SessionMessage> returned = new ConcurrentLinkedQueue<>();
    private final OneToOneRingBuffer resyncRing = new OneToOneRingBuffer(new UnsafeBuffer(
        ByteBuffer.allocateDirect(RESYNC_RING_BYTES + RingBufferDescriptor.TRAILER_LENGTH)));

    private volatile long received;
    private volatile long applied;
    private volatile long inboundDropped;
    private volatile long requestedResyncId;
    private volatile long consumedResyncId;
    private volatile long ownedEstimate;
    private volatile long readyTarget = -1;
    private volatile boolean ready;

    private final ResyncReader resyncReader = new ResyncReader();

    private final int maxMessageLength;
    private final byte[] encodeBytes;
    private final UnsafeBuffer encodeBuffer;
    private final ArrayList<SessionMessage> retry = new ArrayList<>();
    private final ArrayDeque<SessionMessage> resyncQueue = new ArrayDeque<>();
    private final ArrayList<SessionMessage> held = new ArrayList<>();
    private final ArrayList<SessionMessage> parkedDeletes = new ArrayList<>();
    private final int roomBytes;
    private HaManager manager;
    private AppliedListener appliedListener;
    private long lastRetryNs = Long.MIN_VALUE;
    private long applyNowNs;
    private boolean serving;
    private boolean endWritten;
    private long servingResyncId;
    private long servedResyncId;
    private int resyncBucket;
    private long offered;
    private long ringFull;
    private long oversize;
    private long requeued;
    private long resyncsServed;
    private long resyncMessages;
    private long unsentNoPeer;
    private long deletesDropped;

    private HaSideChannel(final HaTransport.Context ctx)
    {
        ctx.sessionMessageHandler(this::onPeerMessage)
            .sendFailureHandler(this::onSendFailed)
            .resyncSource(resyncReader);
        transport = HaTransport.launch(ctx);
        maxMessageLength = Math.min(transport.maxSessionMessageLength(), resyncRing.maxMsgLength());
        roomBytes = transport.context().ringBufferCapacityBytes() / 2;
        encodeBytes = new byte[maxMessageLength];
        encodeBuffer = new UnsafeBuffer(encodeBytes);
    }

    /**
     * Start the transport (its embedded media driver unless the context names an external one) with this side
     * channel as its message handler, send failure handler and resync source. The transport's agent is not running
     * yet: start it with {@code transport().startAgentRunner()} or compose {@code transport().agent()}.
     *
     * @param ctx the transport's settings; its handlers and resync source are set here.
     * @return the side channel; close it to stop the transport.
     */
    public static HaSideChannel launch(final HaTransport.Context ctx)
    {
        return new HaSideChannel(ctx);
    }

    /**
     * The transport settings of a validated configuration: the one place that maps the side channel's {@code ha.*}
     * keys onto {@link HaTransport.Context} (node and cluster id, channel, endpoints, stream id, cluster key, driver,
     * heartbeat, peer and resync timeouts), checking what the schema alone cannot.
     *
     * @param config the configuration.
     * @return the settings, for {@link #launch(HaTransport.Context)}.
     * @throws ConfigException naming the key when the settings do not fit together (a channel without the endpoints
     *                         it needs, a term length that is not a power of two) or the key file is unreadable or
     *                         shorter than {@value #MIN_KEY_BYTES} bytes.
     */
    public static HaTransport.Context transportContext(final TandemConfig config)
    {
        if (!config.bool("ha.enabled"))
        {
            throw new ConfigException("ha.use-side-channel: needs ha.enabled: yes");
        }
        final String channel = config.string("ha.channel");
        final List<String> peers = config.endpoints("ha.peers");
        final String local = config.endpoint("ha.local-endpoint");
        final HaTransport.Context ctx = new HaTransport.Context()
            .nodeId(config.integer("ha.node-id"))
            .clusterId(config.integer("ha.cluster-id"))
            .streamId(config.integer("ha.stream-id"))
            .heartbeatIntervalNs(config.integer("ha.heartbeat-interval") * NS_PER_MS)
            .peerTimeoutNs(config.integer("ha.peer-timeout") * NS_PER_MS)
            .resyncTimeoutNs(config.integer("ha.resync-timeout") * NS_PER_MS)
            .peerEndpoints(peers);
        switch (channel)
        {
            case "unicast" ->
            {
                if (peers.size() != 1)
                {
                    throw new ConfigException("ha.peers: ha.channel unicast sends to exactly one peer, got " +
                        peers.size() + " (use mdc for more)");
                }
                ctx.channelMode(ChannelMode.UNICAST)
                    .localEndpoint(requireEndpoint(local, "ha.local-endpoint", channel));
            }
            case "mdc" ->
            {
                if (peers.isEmpty())
                {
                    throw new ConfigException("ha.peers: ha.channel mdc needs at least one peer");
                }
                ctx.channelMode(ChannelMode.MDC)
                    .localEndpoint(requireEndpoint(local, "ha.local-endpoint", channel));
            }
            case "multicast" -> ctx.channelMode(ChannelMode.MULTICAST).multicastEndpoint(
                requireEndpoint(config.endpoint("ha.multicast-endpoint"), "ha.multicast-endpoint", channel));
            default -> ctx.channelMode(ChannelMode.IPC);
        }
        final long termLength = config.size("ha.aeron.term-length");
        if (Long.bitCount(termLength) != 1)
        {
            throw new ConfigException("ha.aeron.term-length: " + termLength + " bytes is not a power of two");
        }
        ctx.termLengthBytes((int)termLength);
        final long mtu = config.size("ha.aeron.mtu");
        if (mtu != 0 && (mtu < HaTransport.Context.MIN_MTU_BYTES || (mtu & 31) != 0 || mtu > termLength / 8))
        {
            throw new ConfigException("ha.aeron.mtu: " + mtu + " bytes; allowed: 0 (Aeron's 1408) or a multiple " +
                "of 32 from " + HaTransport.Context.MIN_MTU_BYTES + " to 65504, at most an eighth of " +
                "ha.aeron.term-length");
        }
        ctx.mtuBytes((int)mtu);
        final String aeronDir = config.path("ha.aeron.dir");
        if (!aeronDir.isEmpty())
        {
            ctx.aeronDirectoryName(aeronDir);
        }
        final String dataDir = config.path("ha.aeron.data-dir");
        if (!dataDir.isEmpty())
        {
            ctx.dataDir(Path.of(dataDir));
        }
        final String keyFile = config.path("ha.auth-key-file");
        if (!keyFile.isEmpty())
        {
            ctx.clusterKey(readClusterKey(keyFile));
        }
        return ctx;
    }

    private static String requireEndpoint(final String endpoint, final String key, final String channel)
    {
        if (endpoint.isEmpty())
        {
            throw new ConfigException(key + ": ha.channel " + channel + " needs it (host:port)");
        }
        return endpoint;
    }

    /**
     * Read a cluster key file ({@code ha.auth-key-file}): its bytes, without a trailing newline.
     *
     * @param file the file.
     * @return the key.
     * @throws ConfigException naming the key when the file cannot be read or holds fewer than
     *                         {@value #MIN_KEY_BYTES} bytes.
     */
    public static byte[] readClusterKey(final String file)
    {
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(Path.of(file));
        }
        catch (final IOException | InvalidPathException ex)
        {
            throw new ConfigException("ha.auth-key-file: cannot read " + file + " (" + ex + ")", ex);
        }
        int length = bytes.length;
        while (length > 0 && (bytes[length - 1] == '\n' || bytes[length - 1] == '\r'))
        {
            length--;
        }
        if (length < MIN_KEY_BYTES)
        {
            throw new ConfigException("ha.auth-key-file: " + file + " holds " + length + " bytes; an HMAC-SHA256 " +
                "cluster key needs at least " + MIN_KEY_BYTES);
        }
        return Arrays.copyOf(bytes, length);
    }

    /**
     * The transport: its agent, counters, peers.
     *
     * @return the transport.
     */
    public HaTransport transport()
    {
        return transport;
    }

    /**
     * Attach the worker's manager (done by {@code Worker.enableHa}); call before the worker's first duty cycle.
     *
     * @param haManager the manager whose messages go out and to which received ones are applied.
     * @return this.
     */
    public HaSideChannel bind(final HaManager haManager)
    {
        manager = haManager;
        return this;
    }

    /**
     * Be told of every peer message the worker applied, right after it was applied (worker thread): for measurements
     * such as {@code tandem bench --ha}, which reads the replication latency off each update.
     *
     * @param listener the listener, or null for none.
     * @return this.
     */
    public HaSideChannel appliedListener(final AppliedListener listener)
    {
        appliedListener = listener;
        return this;
    }

    // ---- worker thread -----------------------------------------------------------------------------------------

    /**
     * {@inheritDoc}
     * <p>
     * A side channel takes session batches, not envelopes: this wraps nothing and sends the envelope's messages.
     */
    @Override
    public void onEnvelope(final Envelope envelope)
    {
        if (envelope.hasSessions())
        {
            onSessions(HaMessageBatch.of(envelope.getSessions()), envelope.getTimestampNs(), null);
        }
    }

    /**
     * Offer each of the manager's session messages to the transport as it is encoded (worker thread). No envelope is
     * built here: the transport makes its own. A message is made an object only when it has to wait (no peer, a
     * resync being served, a full ring).
     *
     * @param batch     the updates and deletes, in order.
     * @param timeNs    the manager's time.
     * @param envelopes not used.
     */
    @Override
    public void onSessions(final HaMessageBatch batch, final long timeNs, final HaEnvelopes envelopes)
    {
        final DirectBuffer buffer = batch.buffer();
        for (int i = 0; i < batch.size(); i++)
        {
            final int length = batch.length(i);
            if (!transport.isConnected() || serving)
            {
                send(batch.message(i));
            }
            else if (length > maxMessageLength)
            {
                oversize++;
            }
            else if (transport.offer(0, buffer, batch.offset(i), length))
            {
                offered++;
            }
            else
            {
                ringFull++;
                retry.add(batch.message(i));
            }
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * The transport's publication has a connected peer. While none is, the manager builds no updates: the peer that
     * connects next asks for a resync, which carries every owned session.
     */
    @Override
    public boolean connected()
    {
        return transport.isConnected();
    }

    /**
     * {@inheritDoc}
     * <p>
     * At most half the transport's ring is taken: the manager's next batch (up to a few hundred updates) fits.
     */
    @Override
    public boolean hasRoom()
    {
        return transport.ringBacklogBytes() <= roomBytes;
    }

    private void send(final SessionMessage message)
    {
        if (!transport.isConnected())
        {
            unsent(message);
            return;
        }
        if (serving)
        {
            if (endWritten)
            {
                held.add(message);
            }
            else
            {
                resyncQueue.addLast(message);
            }
            return;
        }
        final int length = encode(message);
        if (length < 0)
        {
            return;
        }
        if (transport.offer(0, encodeBuffer, 0, length))
        {
            offered++;
        }
        else
        {
            ringFull++;
            retry.add(message);
        }
    }

    private int encode(final SessionMessage message)
    {
        final int length = message.getSerializedSize();
        if (length > maxMessageLength)
        {
            oversize++;
            return -1;
        }
        try
        {
            final CodedOutputStream out = CodedOutputStream.newInstance(encodeBytes, 0, length);
            message.writeTo(out);
            out.checkNoSpaceLeft();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("session message of " + length + " bytes does not encode", ex);
        }
        return length;
    }

    /**
     * The worker's share of the side channel, once per duty cycle (worker thread): apply received messages, hand
     * unsent ones back to the manager (at most every {@value #RETRY_INTERVAL_MS} ms), and write the next part of a
     * resync a peer asked for.
     *
     * @param nowNs the worker's time (packet time or clock).
     * @return work done: messages applied, handed back or written.
     */
    public int doWork(final long nowNs)
    {
        applyNowNs = nowNs;
        int work = inbound.read(applier, APPLY_LIMIT);
        if (work > 0)
        {
            applied = applied + work;
        }
        SessionMessage message;
        while ((message = returned.poll()) != null)
        {
            retry.add(message);
            work++;
        }
        final boolean connected = transport.isConnected();
        if (!connected && !retry.isEmpty())
        {
            for (int i = 0; i < retry.size(); i++)
            {
                unsent(retry.get(i));
            }
            retry.clear();
        }
        if (connected && !parkedDeletes.isEmpty())
        {
            retry.addAll(parkedDeletes);
            parkedDeletes.clear();
            lastRetryNs = Long.MIN_VALUE;
        }
        if (!retry.isEmpty() && (lastRetryNs == Long.MIN_VALUE || nowNs - lastRetryNs >= RETRY_INTERVAL_NS))
        {
            lastRetryNs = nowNs;
            for (int i = 0; i < retry.size(); i++)
            {
                manager.requeue(retry.get(i), nowNs);
            }
            requeued += retry.size();
            retry.clear();
        }
        work += serveResync(nowNs);
        final FlowTable flows = manager.flowTable();
        ownedEstimate = flows.activeFlows() - flows.standbyFlows();
        return work;
    }

    /**
     * A message that cannot reach a peer: an update is dropped (the resync a connecting peer asks for carries its
     * session's state), a delete is kept until a peer is connected (a peer that held the session through a partition
     * would otherwise keep it until pruned), up to {@value #MAX_PARKED_DELETES}.
     */
    private void unsent(final SessionMessage message)
    {
        if (!message.hasDelete())
        {
            unsentNoPeer++;
        }
        else if (parkedDeletes.size() < MAX_PARKED_DELETES)
        {
            parkedDeletes.add(message);
        }
        else
        {
            deletesDropped++;
        }
    }

    private int serveResync(final long nowNs)
    {
        if (!serving)
        {
            final long requested = requestedResyncId;
            if (requested <= servedResyncId)
            {
                return 0;
            }
            serving = true;
            endWritten = false;
            servingResyncId = requested;
            resyncBucket = 0;
            resyncsServed++;
        }
        int work = 0;
        if (!endWritten)
        {
            work += writeResync(nowNs);
            if (resyncQueue.isEmpty() && resyncBucket >= manager.flowTable().bucketCount())
            {
                encodeBuffer.putLong(0, servingResyncId);
                endWritten = resyncRing.write(END_RECORD, encodeBuffer, 0, Long.BYTES);
            }
        }
        if (endWritten && consumedResyncId >= servingResyncId)
        {
            serving = false;
            servedResyncId = servingResyncId;
            for (int i = 0; i < held.size(); i++)
            {
                send(held.get(i));
            }
            held.clear();
            work++;
        }
        return work;
    }

    private int writeResync(final long nowNs)
    {
        final int buckets = manager.flowTable().bucketCount();
        boolean snapshotTaken = false;
        int written = 0;
        while (true)
        {
            final SessionMessage message = resyncQueue.peekFirst();
            if (message == null)
            {
                if (snapshotTaken || resyncBucket >= buckets)
                {
                    break;
                }
                resyncBucket = manager.snapshotOwned(resyncBucket, SNAPSHOT_MESSAGES, resyncQueue, nowNs);
                snapshotTaken = true;
                continue;
            }
            final int length = encode(message);
            if (length >= 0)
            {
                if (!resyncRing.write(SESSION_RECORD, encodeBuffer, 0, length))
                {
                    break;
                }
                written++;
            }
            resyncQueue.pollFirst();
        }
        resyncMessages += written;
        return written;
    }

    private void applyInbound(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        manager.apply(buffer, index, length, applyNowNs);
        final AppliedListener listener = appliedListener;
        if (listener != null)
        {
            listener.onApplied(manager.lastApplied(), applyNowNs);
        }
    }

    // ---- transport thread --------------------------------------------------------------------------------------

    private void onPeerMessage(final int senderNodeId, final DirectBuffer buffer, final int offset, final int length)
    {
        if (inbound.write(SESSION_RECORD, buffer, offset, length))
        {
            received = received + 1;
        }
        else
        {
            inboundDropped = inboundDropped + 1;
            transport.requestResync(senderNodeId);
        }
    }

    private void onSendFailed(final long tag, final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        try
        {
            returned.add(SessionMessage.parseFrom(bytes));
        }
        catch (final InvalidProtocolBufferException ex)
        {
            throw new IllegalStateException("the transport returned bytes this side channel did not encode", ex);
        }
    }

    /**
     * Told of each peer message the worker applied ({@link #appliedListener(AppliedListener)}).
     */
    @FunctionalInterface
    public interface AppliedListener
    {
        /**
         * A message was applied to the manager.
         *
         * @param message the update or delete as the manager read it, valid during the call.
         * @param nowNs   the worker's time it was applied with.
         */
        void onApplied(SessionMessageReader message, long nowNs);
    }

    /**
     * The transport's resync source: signals the worker and reads what it wrote (transport thread).
     */
    private final class ResyncReader implements ResyncSource, ControlledMessageHandler
    {
        private long resyncId;
        private ResyncSink sink;
        private int limit;
        private int produced;
        private boolean ended;

        @Override
        public long beginResync(final long id)
        {
            resyncId = id;
            requestedResyncId = id;
            return ownedEstimate;
        }

        @Override
        public boolean produce(final ResyncSink resyncSink, final int messageLimit)
        {
            sink = resyncSink;
            limit = messageLimit;
            produced = 0;
            ended = false;
            resyncRing.controlledRead(this, messageLimit + 1);
            sink = null;
            return ended;
        }

        @Override
        public Action onMessage(
            final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            if (msgTypeId == END_RECORD)
            {
                if (buffer.getLong(index) != resyncId)
                {
                    return Action.CONTINUE;
                }
                ended = true;
                consumedResyncId = resyncId;
                return Action.BREAK;
            }
            if (produced >= limit || !sink.accept(buffer, index, length))
            {
                return Action.ABORT;
            }
            produced++;
            return Action.CONTINUE;
        }
    }

    // ---- any thread --------------------------------------------------------------------------------------------

    /**
     * Whether this node is ready: the transport's start-up resync ended (every expected peer's end marker, or its
     * timeout) and the worker applied every message received until then. Once true, stays true. Any thread.
     *
     * @return true when ready.
     */
    public boolean isReady()
    {
        if (ready)
        {
            return true;
        }
        if (!transport.isReady())
        {
            return false;
        }
        if (readyTarget < 0)
        {
            readyTarget = received;
        }
        if (applied >= readyTarget)
        {
            ready = true;
        }
        return ready;
    }

    /**
     * Session messages received from peers and applied to the manager so far (including resyncs). Any thread.
     *
     * @return the count.
     */
    public long applied()
    {
        return applied;
    }

    /**
     * The side channel's state for the admin API's status document: readiness, this node's id and epoch, the channel,
     * and per peer its state, replication lag and last sequence. Any thread.
     *
     * @return a JSON-ready map.
     */
    public Map<String, Object> status()
    {
        final Map<String, Object> status = new LinkedHashMap<>();
        final HaTransport.Context ctx = transport.context();
        status.put("ready", isReady());
        status.put("node_id", ctx.nodeId());
        status.put("epoch", transport.epoch());
        status.put("channel", ctx.channelMode().name().toLowerCase(Locale.ROOT));
        status.put("publication", ctx.publicationChannel());
        status.put("subscription", ctx.subscriptionChannel());
        final List<Map<String, Object>> peers = new ArrayList<>();
        for (final int peer : transport.peerNodeIds())
        {
            final Map<String, Object> entry = new LinkedHashMap<>();
            final PeerState state = transport.peerState(peer);
            entry.put("node_id", peer);
            entry.put("state", state == null ? "unknown" : state.name().toLowerCase(Locale.ROOT));
            entry.put("lag_ns", transport.peerLagNs(peer));
            peers.add(entry);
        }
        status.put("peers", peers);
        return status;
    }

    /**
     * Counters: the side channel's ({@code ha.side_channel.*}), every transport counter ({@code ha.transport.*}, the
     * names of {@link TransportCounter} in lower case) and per peer its state code ({@link PeerState#code()}) and lag
     * ({@code ha.peer.<id>.state}, {@code ha.peer.<id>.lag_ns}). Reported on the worker thread with its other counters.
     *
     * @param sink to report into.
     */
    @Override
    public void reportStats(final StatsSink sink)
    {
        sink.counter("ha.side_channel.ready", isReady() ? 1 : 0);
        sink.counter("ha.side_channel.offered", offered);
        sink.counter("ha.side_channel.ring_full", ringFull);
        sink.counter("ha.side_channel.oversize", oversize);
        sink.counter("ha.side_channel.requeued", requeued);
        sink.counter("ha.side_channel.unsent_no_peer", unsentNoPeer);
        sink.counter("ha.side_channel.deletes_parked", parkedDeletes.size());
        sink.counter("ha.side_channel.deletes_dropped", deletesDropped);
        sink.counter("ha.side_channel.received", received);
        sink.counter("ha.side_channel.applied", applied);
        sink.counter("ha.side_channel.inbound_dropped", inboundDropped);
        sink.counter("ha.side_channel.resyncs_served", resyncsServed);
        sink.counter("ha.side_channel.resync_messages", resyncMessages);
        for (final TransportCounter counter : TransportCounter.values())
        {
            sink.counter("ha.transport." + counter.name().toLowerCase(Locale.ROOT), transport.counter(counter));
        }
        for (final int peer : transport.peerNodeIds())
        {
            final PeerState state = transport.peerState(peer);
            sink.counter("ha.peer." + peer + ".state", state == null ? -1 : state.code());
            sink.counter("ha.peer." + peer + ".lag_ns", transport.peerLagNs(peer));
        }
    }

    /**
     * Stop the transport: its agent runner (if started), publication, subscription, counters and embedded driver.
     */
    @Override
    public void close()
    {
        transport.close();
    }
}
