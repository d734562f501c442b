package io.tandem.transport;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.Security;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.collections.IntArrayList;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochNanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.tandem.proto.ha.v1.Envelope;

/**
 * One node's HA side channel over Aeron: publishes this node's session messages and control messages to its peers and
 * subscribes to theirs. Workers hand encoded {@code SessionMessage}s to {@link #offer(long, DirectBuffer, int, int)},
 * which never blocks (an Agrona many-to-one ring buffer); the transport agent ({@link #agent()}, run on its own
 * {@link AgentRunner} with {@link #startAgentRunner()} or composed into another) batches them into envelopes of at most
 * one MTU payload, sequences and authenticates them, and on the receiving side checks, orders and hands them to the
 * {@link SessionMessageHandler}, repairing gaps, peer restarts and lost images with a resync from the peer.
 * Knows nothing of TCP: sessions are opaque protobuf messages, and resyncs read them from a {@link ResyncSource}.
 */
public final class HaTransport implements AutoCloseable
{
    /** Ring buffer message type of an offered session message: an 8-byte tag, then the message bytes. */
    static final int SESSION_MESSAGE_TYPE_ID = 1;
    /** Ring buffer message type of a resync request from another thread: a 4-byte peer node id. */
    static final int RESYNC_REQUEST_TYPE_ID = 2;
    /** Bytes before the message in a ring buffer record of {@link #SESSION_MESSAGE_TYPE_ID}. */
    static final int TAG_LENGTH = 8;
    /**
     * Upper bound of an envelope's bytes around its session batch: version, cluster, node, epoch, sequence and
     * timestamp as varints (at most 2 + 6 + 6 + 11 + 11 + 11), the batch's tag and length (at most 6) and the HMAC
     * (34).
     */
    static final int ENVELOPE_OVERHEAD_BYTES = 96;

    private static final Logger LOG = LoggerFactory.getLogger(HaTransport.class);

    private final Context ctx;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final ManyToOneRingBuffer ringBuffer;
    private final ExclusivePublication publication;
    private final AtomicCounter ringFull;
    private final TransportAgent agent;
    private final int maxSessionMessageLength;
    private AgentRunner agentRunner;

    private HaTransport(final Context ctx)
    {
        this.ctx = ctx;
        MediaDriver launchedDriver = null;
        Aeron connectedAeron = null;
        try
        {
            if (ctx.embeddedDriver())
            {
                launchedDriver = MediaDriver.launch(ctx.driverContext());
            }
            final Aeron.Context aeronCtx = new Aeron.Context()
                .aeronDirectoryName(ctx.aeronDirectoryName())
                .errorHandler(ctx.errorHandler());
            final boolean invoked = launchedDriver != null && ctx.driverThreadingMode() == ThreadingMode.INVOKER;
            if (invoked)
            {
                aeronCtx.useConductorAgentInvoker(true).driverAgentInvoker(launchedDriver.sharedAgentInvoker());
            }
            connectedAeron = Aeron.connect(aeronCtx);
            driver = launchedDriver;
            aeron = connectedAeron;

            final AtomicCounter[] counters = new AtomicCounter[TransportCounter.values().length];
            for (final TransportCounter counter : TransportCounter.values())
            {
                counters[counter.ordinal()] = addCounter(aeron, counter.typeId(), ctx.nodeId(), -1,
                    counter.label() + ": node=" + ctx.nodeId());
            }
            ringFull = counters[TransportCounter.RING_FULL.ordinal()];

            publication = aeron.addExclusivePublication(ctx.publicationChannel(), ctx.streamId());
            if (ctx.channelMode() == ChannelMode.MDC && ctx.publicationChannelOverride() == null)
            {
                for (final String endpoint : ctx.peerEndpoints())
                {
                    publication.addDestination("aeron:udp?endpoint=" + endpoint);
                }
            }
            final ManyToOneConcurrentArrayQueue<Long> imageEvents = new ManyToOneConcurrentArrayQueue<>(1024);
            final Subscription subscription = aeron.addSubscription(ctx.subscriptionChannel(), ctx.streamId(),
                (image) -> imageEvents.offer(((long)TransportAgent.IMAGE_AVAILABLE << 32) | (image.sessionId() &
                    0xFFFF_FFFFL)),
                (image) -> imageEvents.offer(((long)TransportAgent.IMAGE_UNAVAILABLE << 32) | (image.sessionId() &
                    0xFFFF_FFFFL)));

            ringBuffer = new ManyToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(
                ctx.ringBufferCapacityBytes() + RingBufferDescriptor.TRAILER_LENGTH)));
            maxSessionMessageLength = Math.min(ringBuffer.maxMsgLength() - TAG_LENGTH,
                publication.maxMessageLength() - ENVELOPE_OVERHEAD_BYTES);
            agent = new TransportAgent(ctx, aeron, publication, subscription, ringBuffer, imageEvents, counters,
                invoked ? driver.sharedAgentInvoker() : null, invoked ? aeron.conductorAgentInvoker() : null);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(connectedAeron, launchedDriver);
            throw ex;
        }
        if (ctx.clusterKey() == null)
        {
            LOG.warn("HA is unauthenticated: no cluster key is configured (ha.auth-key-file), so any host that can " +
                "reach {} can inject session state", ctx.subscriptionChannel());
        }
        LOG.info("HA transport node {} epoch {}: publishing on {}, subscribed to {} stream {}, driver {}",
            ctx.nodeId(), agent.epoch(), ctx.publicationChannel(), ctx.subscriptionChannel(), ctx.streamId(),
            ctx.embeddedDriver() ? "embedded in " + ctx.aeronDirectoryName() : "external at " +
            ctx.aeronDirectoryName());
    }

    /**
     * Start a transport: conclude the context, start the embedded driver (unless an external one is configured),
     * connect, add the publication and subscription and the counters. The agent is not running yet: call
     * {@link #startAgentRunner()} or drive {@link #agent()} yourself.
     *
     * @param ctx the settings.
     * @return the transport; close it to release everything.
     */
    public static HaTransport launch(final Context ctx)
    {
        ctx.conclude();
        return new HaTransport(ctx);
    }

    static AtomicCounter addCounter(
        final Aeron aeron, final int typeId, final int nodeId, final int peerId, final String label)
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[8]);
        key.putInt(0, nodeId, ByteOrder.LITTLE_ENDIAN);
        key.putInt(4, peerId, ByteOrder.LITTLE_ENDIAN);
        final UnsafeBuffer labelBuffer = new UnsafeBuffer(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return aeron.addCounter(typeId, key, 0, peerId < 0 ? 4 : 8, labelBuffer, 0, labelBuffer.capacity());
    }

    /**
     * Hand one encoded {@code tandem.ha.v1.SessionMessage} to the transport; never blocks. Thread-safe: any number of
     * workers may offer at once. When this returns false the message was not taken (the ring buffer is full, counted
     * as {@link TransportCounter#RING_FULL}) and the session stays pending; when it returns true and publishing fails
     * later, the {@link SendFailureHandler} is told with the same tag.
     *
     * @param tag    caller's identification of the message (e.g. worker and session slot), given back on failure.
     * @param buffer holding the encoded message.
     * @param offset of the message in the buffer.
     * @param length of the message, at most {@link #maxSessionMessageLength()}.
     * @return true when taken.
     * @throws IllegalArgumentException when the message is longer than {@link #maxSessionMessageLength()}.
     */
    public boolean offer(final long tag, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > maxSessionMessageLength || length < 0)
        {
            throw new IllegalArgumentException("session message of " + length + " bytes, limit " +
                maxSessionMessageLength);
        }
        final int index = ringBuffer.tryClaim(SESSION_MESSAGE_TYPE_ID, TAG_LENGTH + length);
        if (index <= 0)
        {
            ringFull.increment();
            return false;
        }
        final var ring = ringBuffer.buffer();
        ring.putLong(index, tag);
        ring.putBytes(index + TAG_LENGTH, buffer, offset, length);
        ringBuffer.commit(index);
        return true;
    }

    /**
     * Ask a peer for every session it owns (e.g. from the admin API). Thread-safe, never blocks.
     *
     * @param peerNodeId the peer, or 0 for every peer.
     * @return false when the ring buffer is full (try again).
     */
    public boolean requestResync(final int peerNodeId)
    {
        final int index = ringBuffer.tryClaim(RESYNC_REQUEST_TYPE_ID, 4);
        if (index <= 0)
        {
            ringFull.increment();
            return false;
        }
        ringBuffer.buffer().putInt(index, peerNodeId);
        ringBuffer.commit(index);
        return true;
    }

    /**
     * The longest session message {@link #offer(long, DirectBuffer, int, int)} takes: what fits in one Aeron message
     * (a fragmented one when it exceeds the MTU payload) with the envelope around it, and in the ring buffer.
     *
     * @return the length in bytes.
     */
    public int maxSessionMessageLength()
    {
        return maxSessionMessageLength;
    }

    /**
     * Whether any peer receives this node's publication: Aeron's view, a receiver's status messages seen within the
     * publication connection timeout (5 s by default). While it is false nothing offered can be published: the
     * transport hands it back. Thread-safe.
     *
     * @return true when at least one peer is connected.
     */
    public boolean isConnected()
    {
        return publication.isConnected();
    }

    /**
     * Bytes offered and not yet taken by the transport agent, so a producer can pace itself instead of meeting a
     * full ring. Thread-safe.
     *
     * @return the bytes in the ring buffer, at most {@link Context#ringBufferCapacityBytes()}.
     */
    public int ringBacklogBytes()
    {
        return ringBuffer.size();
    }

    /**
     * The transport agent: polls the subscription, drains the ring buffer into batches, serves resyncs, sends
     * heartbeats, watches peers. Run it on one thread only.
     *
     * @return the agent.
     */
    public Agent agent()
    {
        return agent;
    }

    /**
     * Run the agent on its own thread with the context's idle strategy.
     *
     * @return this.
     */
    public HaTransport startAgentRunner()
    {
        if (agentRunner == null)
        {
            agentRunner = new AgentRunner(ctx.idleStrategy(), ctx.errorHandler(), null, agent);
            AgentRunner.startOnThread(agentRunner);
        }
        return this;
    }

    /**
     * Whether the start-up resync is over: every expected peer's end marker arrived, or the resync timeout passed.
     * Thread-safe (reads the {@link TransportCounter#READY} counter).
     *
     * @return true when ready.
     */
    public boolean isReady()
    {
        return counter(TransportCounter.READY) == 1;
    }

    /**
     * A counter's current value. Thread-safe.
     *
     * @param counter which.
     * @return the value.
     */
    public long counter(final TransportCounter counter)
    {
        return agent.counter(counter).get();
    }

    /**
     * A peer's state as its counter shows it. Thread-safe.
     *
     * @param peerNodeId the peer.
     * @return the state, or null when this node has not heard from that peer.
     */
    public PeerState peerState(final int peerNodeId)
    {
        final int id = findPeerCounter(TransportCounter.PEER_STATE_TYPE_ID, peerNodeId);
        return id < 0 ? null : PeerState.get(aeron.countersReader().getCounterValue(id));
    }

    /**
     * A peer's replication lag (this node's clock when the last envelope arrived minus its timestamp). Thread-safe.
     *
     * @param peerNodeId the peer.
     * @return the lag in nanoseconds, or -1 when this node has not heard from that peer.
     */
    public long peerLagNs(final int peerNodeId)
    {
        final int id = findPeerCounter(TransportCounter.PEER_LAG_TYPE_ID, peerNodeId);
        return id < 0 ? -1 : aeron.countersReader().getCounterValue(id);
    }

    /**
     * The peers this node has heard from: those with a state counter. Thread-safe; allocates, so it is meant for
     * readers such as the admin API.
     *
     * @return their node ids, ascending.
     */
    public int[] peerNodeIds()
    {
        final CountersReader reader = aeron.countersReader();
        final IntArrayList ids = new IntArrayList();
        reader.forEach((counterId, type, key, label) ->
        {
            if (type == TransportCounter.PEER_STATE_TYPE_ID &&
                key.getInt(0, ByteOrder.LITTLE_ENDIAN) == ctx.nodeId() &&
                reader.getCounterState(counterId) == CountersReader.RECORD_ALLOCATED)
            {
                ids.addInt(key.getInt(4, ByteOrder.LITTLE_ENDIAN));
            }
        });
        final int[] sorted = ids.toIntArray();
        Arrays.sort(sorted);
        return sorted;
    }

    private int findPeerCounter(final int typeId, final int peerNodeId)
    {
        final CountersReader reader = aeron.countersReader();
        final int[] found = {-1};
        reader.forEach((counterId, type, key, label) ->
        {
            if (type == typeId && key.getInt(0, ByteOrder.LITTLE_ENDIAN) == ctx.nodeId() &&
                key.getInt(4, ByteOrder.LITTLE_ENDIAN) == peerNodeId &&
                reader.getCounterState(counterId) == CountersReader.RECORD_ALLOCATED)
            {
                found[0] = counterId;
            }
        });
        return found[0];
    }

    /**
     * The counters of the media driver this transport uses, for readers such as the admin API.
     *
     * @return the reader.
     */
    public CountersReader countersReader()
    {
        return aeron.countersReader();
    }

    /**
     * This start's epoch, carried by every envelope.
     *
     * @return the epoch.
     */
    public long epoch()
    {
        return agent.epoch();
    }

    /**
     * The concluded settings.
     *
     * @return the context.
     */
    public Context context()
    {
        return ctx;
    }

    /**
     * Stop the agent runner (if started), close the publication, subscription and counters, and the embedded driver.
     */
    @Override
    public void close()
    {
        CloseHelper.closeAll(agentRunner, aeron, driver);
    }

    /**
     * A test hook: decides whether a built envelope is published. An envelope it drops has still used its sequence
     * number, so peers see a gap, exactly as when a message is lost.
     */
    @FunctionalInterface
    public interface PublishFilter
    {
        /**
         * Whether to publish.
         *
         * @param envelope the envelope about to be published.
         * @return false to drop it.
         */
        boolean shouldPublish(Envelope envelope);
    }

    /**
     * The transport's settings, defaults in one place; {@link #conclude()} validates them and derives the channels.
     *
     * <p>Shared memory: Aeron maps one log per publication and one per image (each peer's stream received), each three
     * terms plus a page of metadata, and a CnC file holding the command buffers and the counters. With Aeron's defaults
     * (16 MB terms, 1 MB of counter values and 2 MB of their metadata) one node takes about 47 MB before its first
     * publication, which does not leave room for one 48 MB log in a container's default 64 MB {@code /dev/shm}. HA
     * messages are small (a session update is tens to a few hundred bytes) and the ring buffer smooths bursts, so the
     * defaults here are {@link #DEFAULT_TERM_LENGTH_BYTES} (256 KB: 772 KB per log) and
     * {@link #DEFAULT_COUNTERS_BUFFER_BYTES} (1 MB, room for thousands of counters): a node with one peer maps about
     * 14 MB (11 MB of CnC file, 1 MB of loss report, a publication and an image), each further peer 0.8 MB more.
     * The term length sets the flow-control window (half of it, at most Aeron's 128 KB initial receiver window):
     * with 64 KB terms (a 32 KB window) bursts on a busy 2-core machine met back pressure while the
     * receiver's status messages came back; 256 KB gives the full 128 KB window without larger socket buffers
     * (tandem bench --ha: docs/PERFORMANCE.md, "HA replication").
     * <p>
     * Threads: by default ({@link #DEFAULT_DRIVER_THREADING_MODE}) the embedded driver and the Aeron client's conductor
     * run inside the transport agent's duty cycle, so a node's whole Aeron stack is one thread (or none of its own,
     * when the agent is composed into a worker's), which is what a small machine can afford; the default idle strategy
     * backs off to parks of at most {@link #DEFAULT_IDLE_MAX_PARK_NS} ns, so a message arriving at an idle node waits
     * for at most that (Agrona's default, 1 ms, put the p99 of an idle-ish stream at 2 ms; 100 us, at 0.3 ms).
     * <p>
     * Flow control: MDC and multicast publications use Aeron's minimum flow control ({@code fc=min}), so the sender
     * keeps to its slowest live receiver. With Aeron's default for them (the fastest receiver) a receiver that falls
     * behind by more than the small term buffers (a node starting up, a busy one) loses messages it cannot recover;
     * with the minimum, the sender sees back pressure instead, and the sessions concerned stay pending.
     */
    public static final class Context
    {
        /** Default Aeron term length, see the class comment. */
        public static final int DEFAULT_TERM_LENGTH_BYTES = 256 * 1024;
        /** Default size of the embedded driver's counter values buffer. */
        public static final int DEFAULT_COUNTERS_BUFFER_BYTES = 1024 * 1024;
        /** Default capacity of the ring buffer between workers and the transport agent. */
        public static final int DEFAULT_RING_BUFFER_CAPACITY_BYTES = 1024 * 1024;
        /** Default stream id of HA envelopes. */
        public static final int DEFAULT_STREAM_ID = 7001;
        /** Default publication attempts per duty cycle while Aeron asks for a retry (an admin action). */
        public static final int DEFAULT_SEND_ATTEMPTS = 5;
        /** Default threading of the embedded media driver: run by the transport agent, see the class comment. */
        public static final ThreadingMode DEFAULT_DRIVER_THREADING_MODE = ThreadingMode.INVOKER;
        /** Longest park of the default idle strategy, see the class comment. */
        public static final long DEFAULT_IDLE_MAX_PARK_NS = 100_000;
        /** Default heartbeat interval. */
        public static final long DEFAULT_HEARTBEAT_INTERVAL_NS = 200_000_000L;
        /** Default time without a message after which a peer is down. */
        public static final long DEFAULT_PEER_TIMEOUT_NS = 2_000_000_000L;
        /** Default time to wait for a resync's end marker, and for peers at start-up. */
        public static final long DEFAULT_RESYNC_TIMEOUT_NS = 10_000_000_000L;
        /** Default time after which a resync request not answered by a begin marker is sent again. */
        public static final long DEFAULT_RESYNC_RETRY_INTERVAL_NS = 1_000_000_000L;
        /** Default session messages taken from the resync source per duty cycle. */
        public static final int DEFAULT_RESYNC_CHUNK_MESSAGES = 256;
        /** Default fragments polled per duty cycle. */
        public static final int DEFAULT_FRAGMENT_LIMIT = 64;
        /** Default ring buffer messages drained per duty cycle. */
        public static final int DEFAULT_RING_READ_LIMIT = 4096;
        /** Default most peers tracked. */
        public static final int DEFAULT_MAX_PEERS = 64;

        private boolean concluded;
        private int clusterId;
        private int nodeId;
        private long epoch;
        private byte[] clusterKey;
        private ChannelMode channelMode = ChannelMode.UNICAST;
        private String localEndpoint;
        private List<String> peerEndpoints = new ArrayList<>();
        private String multicastEndpoint;
        private String multicastInterface;
        private String publicationChannelOverride;
        private String subscriptionChannelOverride;
        private String publicationChannel;
        private String subscriptionChannel;
        private int streamId = DEFAULT_STREAM_ID;
        private String externalAeronDirectoryName;
        private String aeronDirectoryName;
        private Path dataDir;
        /** Smallest MTU accepted: Aeron's default. */
        public static final int MIN_MTU_BYTES = 1408;
        /** Largest MTU accepted: Aeron's limit for UDP. */
        public static final int MAX_MTU_BYTES = 65504;

        private int termLengthBytes = DEFAULT_TERM_LENGTH_BYTES;
        private int mtuBytes;
        private int countersBufferBytes = DEFAULT_COUNTERS_BUFFER_BYTES;
        private long imageLivenessTimeoutNs;
        private int ringBufferCapacityBytes = DEFAULT_RING_BUFFER_CAPACITY_BYTES;
        private int sendAttempts = DEFAULT_SEND_ATTEMPTS;
        private ThreadingMode driverThreadingMode = DEFAULT_DRIVER_THREADING_MODE;
        private long heartbeatIntervalNs = DEFAULT_HEARTBEAT_INTERVAL_NS;
        private long peerTimeoutNs = DEFAULT_PEER_TIMEOUT_NS;
        private long resyncTimeoutNs = DEFAULT_RESYNC_TIMEOUT_NS;
        private long resyncRetryIntervalNs = DEFAULT_RESYNC_RETRY_INTERVAL_NS;
        private int resyncChunkMessages = DEFAULT_RESYNC_CHUNK_MESSAGES;
        private int fragmentLimit = DEFAULT_FRAGMENT_LIMIT;
        private int ringReadLimit = DEFAULT_RING_READ_LIMIT;
        private int maxPeers = DEFAULT_MAX_PEERS;
        private int expectedPeers = -1;
        private NanoClock nanoClock;
        private EpochNanoClock epochNanoClock;
        private IdleStrategy idleStrategy;
        private ErrorHandler errorHandler;
        private SessionMessageHandler sessionMessageHandler;
        private SendFailureHandler sendFailureHandler;
        private ResyncSource resyncSource;
        private PublishFilter publishFilter;

        /**
         * Validate the settings, fill in derived ones (clocks, epoch, directories, channels). Called by
         * {@link HaTransport#launch(Context)}; idempotent.
         *
         * @return this.
         * @throws IllegalStateException when a setting is missing or invalid.
         */
        public Context conclude()
        {
            if (concluded)
            {
                return this;
            }
            if (nodeId <= 0)
            {
                throw new IllegalStateException("nodeId must be positive: " + nodeId);
            }
            if (streamId == 0)
            {
                throw new IllegalStateException("streamId must not be 0");
            }
            if (termLengthBytes < 64 * 1024 || Integer.bitCount(termLengthBytes) != 1)
            {
                throw new IllegalStateException("termLengthBytes must be a power of two >= 64 KB: " +
                    termLengthBytes);
            }
            if (mtuBytes != 0 && (mtuBytes < MIN_MTU_BYTES || mtuBytes > MAX_MTU_BYTES || (mtuBytes & 31) != 0 ||
                mtuBytes > termLengthBytes / 8))
            {
                throw new IllegalStateException("mtuBytes must be 0 (Aeron's default, 1408) or a multiple of 32 " +
                    "from " + MIN_MTU_BYTES + " to " + MAX_MTU_BYTES + " and at most an eighth of the term length: " +
                    mtuBytes);
            }
            if (Integer.bitCount(ringBufferCapacityBytes) != 1)
            {
                throw new IllegalStateException("ringBufferCapacityBytes must be a power of two: " +
                    ringBufferCapacityBytes);
            }
            positive("sendAttempts", sendAttempts);
            if (driverThreadingMode != ThreadingMode.SHARED && driverThreadingMode != ThreadingMode.INVOKER)
            {
                throw new IllegalStateException("driverThreadingMode must be SHARED or INVOKER: " +
                    driverThreadingMode);
            }
            positive("heartbeatIntervalNs", heartbeatIntervalNs);
            positive("peerTimeoutNs", peerTimeoutNs);
            positive("resyncTimeoutNs", resyncTimeoutNs);
            positive("resyncRetryIntervalNs", resyncRetryIntervalNs);
            positive("resyncChunkMessages", resyncChunkMessages);
            positive("fragmentLimit", fragmentLimit);
            positive("ringReadLimit", ringReadLimit);
            positive("maxPeers", maxPeers);
            concludeChannels();
            if (expectedPeers < 0)
            {
                expectedPeers = switch (channelMode)
                {
                    case UNICAST -> 1;
                    case MDC -> peerEndpoints.size();
                    default -> 0;
                };
            }
            if (externalAeronDirectoryName != null)
            {
                aeronDirectoryName = externalAeronDirectoryName;
            }
            else
            {
                if (dataDir == null)
                {
                    final File shm = new File("/dev/shm");
                    dataDir = (shm.isDirectory() ? shm.toPath() : Path.of(System.getProperty("java.io.tmpdir")))
                        .resolve("tandem");
                }
                aeronDirectoryName = dataDir.resolve("aeron-node-" + nodeId).toAbsolutePath().toString();
            }
            if (nanoClock == null)
            {
                nanoClock = SystemNanoClock.INSTANCE;
            }
            if (epochNanoClock == null)
            {
                epochNanoClock = new SystemEpochNanoClock();
            }
            if (epoch == 0)
            {
                epoch = epochNanoClock.nanoTime();
            }
            if (idleStrategy == null)
            {
                idleStrategy = new BackoffIdleStrategy(10, 20, 1_000, DEFAULT_IDLE_MAX_PARK_NS);
            }
            if (errorHandler == null)
            {
                errorHandler = (ex) -> LOG.error("HA transport error", ex);
            }
            if (sessionMessageHandler == null)
            {
                sessionMessageHandler = (sender, buffer, offset, length) -> {};
            }
            if (sendFailureHandler == null)
            {
                sendFailureHandler = SendFailureHandler.NONE;
            }
            if (resyncSource == null)
            {
                resyncSource = ResyncSource.EMPTY;
            }
            if (channelMode != ChannelMode.IPC)
            {
                Security.setProperty("networkaddress.cache.negative.ttl", "0");
            }
            concluded = true;
            return this;
        }

        private void concludeChannels()
        {
            final String term = "term-length=" + termLengthBytes + (mtuBytes == 0 ? "" : "|mtu=" + mtuBytes);
            switch (channelMode)
            {
                case IPC ->
                {
                    publicationChannel = "aeron:ipc?" + term;
                    subscriptionChannel = "aeron:ipc";
                }
                case UNICAST ->
                {
                    if (peerEndpoints.size() != 1 && publicationChannelOverride == null)
                    {
                        throw new IllegalStateException("UNICAST needs exactly one peer endpoint (MDC for more): " +
                            peerEndpoints);
                    }
                    requireEndpoint("localEndpoint", localEndpoint);
                    publicationChannel = publicationChannelOverride == null ? "aeron:udp?endpoint=" +
                        peerEndpoints.get(0) + "|" + term : null;
                    subscriptionChannel = "aeron:udp?endpoint=" + localEndpoint;
                }
                case MDC ->
                {
                    if (peerEndpoints.isEmpty() && publicationChannelOverride == null)
                    {
                        throw new IllegalStateException("MDC needs at least one peer endpoint");
                    }
                    requireEndpoint("localEndpoint", localEndpoint);
                    publicationChannel = "aeron:udp?control-mode=manual|fc=min|" + term;
                    subscriptionChannel = "aeron:udp?endpoint=" + localEndpoint;
                }
                case MULTICAST ->
                {
                    requireEndpoint("multicastEndpoint", multicastEndpoint);
                    final String group = "aeron:udp?endpoint=" + multicastEndpoint +
                        (multicastInterface == null ? "" : "|interface=" + multicastInterface);
                    publicationChannel = group + "|fc=min|" + term;
                    subscriptionChannel = group;
                }
                default -> throw new IllegalStateException("unknown channel mode " + channelMode);
            }
            if (publicationChannelOverride != null)
            {
                publicationChannel = publicationChannelOverride;
            }
            if (subscriptionChannelOverride != null)
            {
                subscriptionChannel = subscriptionChannelOverride;
            }
        }

        private static void requireEndpoint(final String name, final String endpoint)
        {
            if (endpoint == null || endpoint.lastIndexOf(':') <= 0)
            {
                throw new IllegalStateException(name + " must be host:port: " + endpoint);
            }
        }

        private static void positive(final String name, final long value)
        {
            if (value <= 0)
            {
                throw new IllegalStateException(name + " must be positive: " + value);
            }
        }

        MediaDriver.Context driverContext()
        {
            final MediaDriver.Context driverCtx = new MediaDriver.Context()
                .aeronDirectoryName(aeronDirectoryName)
                .threadingMode(driverThreadingMode)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .publicationTermBufferLength(termLengthBytes)
                .ipcTermBufferLength(termLengthBytes)
                .counterValuesBufferLength(countersBufferBytes)
                .errorHandler(errorHandler);
            if (imageLivenessTimeoutNs > 0)
            {
                driverCtx.imageLivenessTimeoutNs(imageLivenessTimeoutNs);
            }
            return driverCtx;
        }

        boolean embeddedDriver()
        {
            return externalAeronDirectoryName == null;
        }

        String publicationChannelOverride()
        {
            return publicationChannelOverride;
        }

        /**
         * Cluster id every envelope carries; others' envelopes are dropped.
         *
         * @param clusterId the id.
         * @return this.
         */
        public Context clusterId(final int clusterId)
        {
            this.clusterId = clusterId;
            return this;
        }

        /**
         * Cluster id.
         *
         * @return the id.
         */
        public int clusterId()
        {
            return clusterId;
        }

        /**
         * This node's id, positive and unique in the cluster.
         *
         * @param nodeId the id.
         * @return this.
         */
        public Context nodeId(final int nodeId)
        {
            this.nodeId = nodeId;
            return this;
        }

        /**
         * This node's id.
         *
         * @return the id.
         */
        public int nodeId()
        {
            return nodeId;
        }

        /**
         * This start's epoch; 0 (the default) takes the epoch clock's time at {@link #conclude()}, which grows from one
         * start to the next.
         *
         * @param epoch the epoch.
         * @return this.
         */
        public Context epoch(final long epoch)
        {
            this.epoch = epoch;
            return this;
        }

        /**
         * This start's epoch.
         *
         * @return the epoch.
         */
        public long epoch()
        {
            return epoch;
        }

        /**
         * Key of the envelopes' HMAC-SHA256 (ha.auth-key-file); null or empty sends and accepts unauthenticated
         * envelopes, with a warning at start.
         *
         * @param clusterKey the key, copied.
         * @return this.
         */
        public Context clusterKey(final byte[] clusterKey)
        {
            this.clusterKey = clusterKey == null || clusterKey.length == 0 ? null : clusterKey.clone();
            return this;
        }

        /**
         * The cluster key.
         *
         * @return the key, or null.
         */
        public byte[] clusterKey()
        {
            return clusterKey;
        }

        /**
         * How nodes reach each other.
         *
         * @param channelMode the mode.
         * @return this.
         */
        public Context channelMode(final ChannelMode channelMode)
        {
            this.channelMode = channelMode;
            return this;
        }

        /**
         * How nodes reach each other.
         *
         * @return the mode.
         */
        public ChannelMode channelMode()
        {
            return channelMode;
        }

        /**
         * Where this node receives (UNICAST and MDC), host:port, e.g. {@code 0.0.0.0:7001}.
         *
         * @param localEndpoint the endpoint.
         * @return this.
         */
        public Context localEndpoint(final String localEndpoint)
        {
            this.localEndpoint = localEndpoint;
            return this;
        }

        /**
         * Peers' receiving endpoints, host:port (one for UNICAST, any number for MDC).
         *
         * @param peerEndpoints the endpoints.
         * @return this.
         */
        public Context peerEndpoints(final List<String> peerEndpoints)
        {
            this.peerEndpoints = new ArrayList<>(peerEndpoints);
            return this;
        }

        /**
         * Peers' receiving endpoints.
         *
         * @return the endpoints.
         */
        public List<String> peerEndpoints()
        {
            return peerEndpoints;
        }

        /**
         * Multicast group and port (MULTICAST), e.g. {@code 224.0.1.1:40456}.
         *
         * @param multicastEndpoint the group endpoint.
         * @return this.
         */
        public Context multicastEndpoint(final String multicastEndpoint)
        {
            this.multicastEndpoint = multicastEndpoint;
            return this;
        }

        /**
         * Interface to send and receive multicast on (MULTICAST), e.g. {@code 127.0.0.1}; null lets the OS choose.
         *
         * @param multicastInterface the interface address.
         * @return this.
         */
        public Context multicastInterface(final String multicastInterface)
        {
            this.multicastInterface = multicastInterface;
            return this;
        }

        /**
         * Use this publication channel verbatim instead of deriving it from the mode.
         *
         * @param channel an Aeron channel URI.
         * @return this.
         */
        public Context publicationChannel(final String channel)
        {
            this.publicationChannelOverride = channel;
            return this;
        }

        /**
         * The publication channel (derived at {@link #conclude()}).
         *
         * @return the channel URI.
         */
        public String publicationChannel()
        {
            return publicationChannel;
        }

        /**
         * Use this subscription channel verbatim instead of deriving it from the mode.
         *
         * @param channel an Aeron channel URI.
         * @return this.
         */
        public Context subscriptionChannel(final String channel)
        {
            this.subscriptionChannelOverride = channel;
            return this;
        }

        /**
         * The subscription channel (derived at {@link #conclude()}).
         *
         * @return the channel URI.
         */
        public String subscriptionChannel()
        {
            return subscriptionChannel;
        }

        /**
         * Aeron stream id of HA envelopes.
         *
         * @param streamId the id.
         * @return this.
         */
        public Context streamId(final int streamId)
        {
            this.streamId = streamId;
            return this;
        }

        /**
         * Aeron stream id.
         *
         * @return the id.
         */
        public int streamId()
        {
            return streamId;
        }

        /**
         * Use the external media driver in this directory (ha.aeron.dir) instead of an embedded one.
         *
         * @param aeronDirectoryName the driver's directory, or null for an embedded driver.
         * @return this.
         */
        public Context aeronDirectoryName(final String aeronDirectoryName)
        {
            this.externalAeronDirectoryName = aeronDirectoryName;
            return this;
        }

        /**
         * The driver directory in use (derived at {@link #conclude()}).
         *
         * @return the directory.
         */
        public String aeronDirectoryName()
        {
            return aeronDirectoryName;
        }

        /**
         * Directory under which the embedded driver puts its own directory ({@code aeron-node-<id>}); default
         * {@code /dev/shm/tandem} where /dev/shm exists, else the temp dir.
         *
         * @param dataDir the directory.
         * @return this.
         */
        public Context dataDir(final Path dataDir)
        {
            this.dataDir = dataDir;
            return this;
        }

        /**
         * Term length of the publication (set on its channel, so it holds with an external driver too) and of the
         * embedded driver's defaults.
         *
         * @param termLengthBytes a power of two, at least 64 KB.
         * @return this.
         */
        public Context termLengthBytes(final int termLengthBytes)
        {
            this.termLengthBytes = termLengthBytes;
            return this;
        }

        /**
         * MTU of the publication's frames (set on its channel): the largest datagram Aeron sends, and so the most
         * session messages one envelope carries. 0 keeps Aeron's default of 1408 bytes, which fits a 1500-byte
         * Ethernet MTU; larger values need a network (or loopback) whose MTU takes them without IP fragmentation,
         * e.g. 8192 on a 9000-byte jumbo-frame network.
         *
         * @param mtuBytes 0, or a multiple of 32 from 1,408 to 65,504, at most an eighth of the term length.
         * @return this.
         */
        public Context mtuBytes(final int mtuBytes)
        {
            this.mtuBytes = mtuBytes;
            return this;
        }

        /**
         * The publication's MTU as set.
         *
         * @return the MTU in bytes, 0 for Aeron's default.
         */
        public int mtuBytes()
        {
            return mtuBytes;
        }

        /**
         * Counter values buffer of the embedded driver.
         *
         * @param countersBufferBytes the size.
         * @return this.
         */
        public Context countersBufferBytes(final int countersBufferBytes)
        {
            this.countersBufferBytes = countersBufferBytes;
            return this;
        }

        /**
         * How long the embedded driver keeps an image of a silent peer; 0 keeps Aeron's default (10 s).
         *
         * @param imageLivenessTimeoutNs the timeout.
         * @return this.
         */
        public Context imageLivenessTimeoutNs(final long imageLivenessTimeoutNs)
        {
            this.imageLivenessTimeoutNs = imageLivenessTimeoutNs;
            return this;
        }

        /**
         * Capacity of the ring buffer between workers and the transport agent.
         *
         * @param ringBufferCapacityBytes a power of two.
         * @return this.
         */
        public Context ringBufferCapacityBytes(final int ringBufferCapacityBytes)
        {
            this.ringBufferCapacityBytes = ringBufferCapacityBytes;
            return this;
        }

        /**
         * Ring buffer capacity.
         *
         * @return the capacity in bytes.
         */
        public int ringBufferCapacityBytes()
        {
            return ringBufferCapacityBytes;
        }

        /**
         * Publication attempts per duty cycle while Aeron asks for an immediate retry (an admin action such as a term
         * rotation). Back pressure is not retried in a loop: the envelope waits for the next duty cycle (the ring is
         * not read meanwhile, so offers meet a full ring); only a publication without a connected peer gives its
         * messages back.
         *
         * @param sendAttempts the attempts.
         * @return this.
         */
        public Context sendAttempts(final int sendAttempts)
        {
            this.sendAttempts = sendAttempts;
            return this;
        }

        /**
         * Publication attempts per envelope.
         *
         * @return the attempts.
         */
        public int sendAttempts()
        {
            return sendAttempts;
        }

        /**
         * How the embedded media driver runs: {@link ThreadingMode#SHARED}, its own thread, or
         * {@link ThreadingMode#INVOKER}, inside the transport agent's duty cycle (with the Aeron client's conductor),
         * so a node's whole Aeron stack takes the one thread of the agent. No effect with an external driver.
         *
         * @param driverThreadingMode SHARED or INVOKER.
         * @return this.
         */
        public Context driverThreadingMode(final ThreadingMode driverThreadingMode)
        {
            this.driverThreadingMode = driverThreadingMode;
            return this;
        }

        /**
         * How the embedded media driver runs.
         *
         * @return SHARED or INVOKER.
         */
        public ThreadingMode driverThreadingMode()
        {
            return driverThreadingMode;
        }

        /**
         * Heartbeat interval.
         *
         * @param heartbeatIntervalNs the interval.
         * @return this.
         */
        public Context heartbeatIntervalNs(final long heartbeatIntervalNs)
        {
            this.heartbeatIntervalNs = heartbeatIntervalNs;
            return this;
        }

        /**
         * Heartbeat interval.
         *
         * @return the interval in nanoseconds.
         */
        public long heartbeatIntervalNs()
        {
            return heartbeatIntervalNs;
        }

        /**
         * Time without any message after which a peer is down. A peer heard again after being down is asked for a
         * resync: while it could not be reached, this node may have sent nothing for it (a side channel offers
         * nothing while its publication has no connected peer), so only a resync puts it right.
         *
         * @param peerTimeoutNs the timeout.
         * @return this.
         */
        public Context peerTimeoutNs(final long peerTimeoutNs)
        {
            this.peerTimeoutNs = peerTimeoutNs;
            return this;
        }

        /**
         * Peer timeout.
         *
         * @return the timeout in nanoseconds.
         */
        public long peerTimeoutNs()
        {
            return peerTimeoutNs;
        }

        /**
         * Time to wait for a requested resync's end marker; also how long after start this node waits for its
         * expected peers before it reports ready anyway.
         *
         * @param resyncTimeoutNs the timeout.
         * @return this.
         */
        public Context resyncTimeoutNs(final long resyncTimeoutNs)
        {
            this.resyncTimeoutNs = resyncTimeoutNs;
            return this;
        }

        /**
         * Resync timeout.
         *
         * @return the timeout in nanoseconds.
         */
        public long resyncTimeoutNs()
        {
            return resyncTimeoutNs;
        }

        /**
         * Time after which a resync request the peer has not answered with a begin marker is sent again (Aeron only
         * delivers to receivers connected when a message is sent, so a request sent while a peer reconnects can be
         * lost).
         *
         * @param resyncRetryIntervalNs the interval.
         * @return this.
         */
        public Context resyncRetryIntervalNs(final long resyncRetryIntervalNs)
        {
            this.resyncRetryIntervalNs = resyncRetryIntervalNs;
            return this;
        }

        /**
         * Resync request retry interval.
         *
         * @return the interval in nanoseconds.
         */
        public long resyncRetryIntervalNs()
        {
            return resyncRetryIntervalNs;
        }

        /**
         * Session messages taken from the resync source per duty cycle, so a resync never stalls the agent.
         *
         * @param resyncChunkMessages the chunk.
         * @return this.
         */
        public Context resyncChunkMessages(final int resyncChunkMessages)
        {
            this.resyncChunkMessages = resyncChunkMessages;
            return this;
        }

        /**
         * Resync chunk.
         *
         * @return messages per duty cycle.
         */
        public int resyncChunkMessages()
        {
            return resyncChunkMessages;
        }

        /**
         * Fragments polled per duty cycle.
         *
         * @param fragmentLimit the limit.
         * @return this.
         */
        public Context fragmentLimit(final int fragmentLimit)
        {
            this.fragmentLimit = fragmentLimit;
            return this;
        }

        /**
         * Fragment limit.
         *
         * @return fragments per duty cycle.
         */
        public int fragmentLimit()
        {
            return fragmentLimit;
        }

        /**
         * Ring buffer messages drained per duty cycle.
         *
         * @param ringReadLimit the limit.
         * @return this.
         */
        public Context ringReadLimit(final int ringReadLimit)
        {
            this.ringReadLimit = ringReadLimit;
            return this;
        }

        /**
         * Ring read limit.
         *
         * @return messages per duty cycle.
         */
        public int ringReadLimit()
        {
            return ringReadLimit;
        }

        /**
         * Most peers tracked; envelopes from further senders are dropped and counted.
         *
         * @param maxPeers the limit.
         * @return this.
         */
        public Context maxPeers(final int maxPeers)
        {
            this.maxPeers = maxPeers;
            return this;
        }

        /**
         * Most peers tracked.
         *
         * @return the limit.
         */
        public int maxPeers()
        {
            return maxPeers;
        }

        /**
         * Peers whose resync must end before this node is ready at start-up; -1 (default) derives it from the
         * channels: 1 for UNICAST, the peer endpoints for MDC, 0 (wait for the timeout) for MULTICAST and IPC.
         *
         * @param expectedPeers the count.
         * @return this.
         */
        public Context expectedPeers(final int expectedPeers)
        {
            this.expectedPeers = expectedPeers;
            return this;
        }

        /**
         * Expected peers.
         *
         * @return the count.
         */
        public int expectedPeers()
        {
            return expectedPeers;
        }

        /**
         * Clock of timeouts and intervals.
         *
         * @param nanoClock the clock.
         * @return this.
         */
        public Context nanoClock(final NanoClock nanoClock)
        {
            this.nanoClock = nanoClock;
            return this;
        }

        /**
         * Clock of timeouts and intervals.
         *
         * @return the clock.
         */
        public NanoClock nanoClock()
        {
            return nanoClock;
        }

        /**
         * Wall clock of envelope timestamps, the replication lag and the default epoch.
         *
         * @param epochNanoClock the clock.
         * @return this.
         */
        public Context epochNanoClock(final EpochNanoClock epochNanoClock)
        {
            this.epochNanoClock = epochNanoClock;
            return this;
        }

        /**
         * Wall clock.
         *
         * @return the clock.
         */
        public EpochNanoClock epochNanoClock()
        {
            return epochNanoClock;
        }

        /**
         * Idle strategy of {@link HaTransport#startAgentRunner()}.
         *
         * @param idleStrategy the strategy.
         * @return this.
         */
        public Context idleStrategy(final IdleStrategy idleStrategy)
        {
            this.idleStrategy = idleStrategy;
            return this;
        }

        /**
         * Idle strategy.
         *
         * @return the strategy.
         */
        public IdleStrategy idleStrategy()
        {
            return idleStrategy;
        }

        /**
         * Handler of errors in the driver, the client and the agent.
         *
         * @param errorHandler the handler.
         * @return this.
         */
        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        /**
         * Error handler.
         *
         * @return the handler.
         */
        public ErrorHandler errorHandler()
        {
            return errorHandler;
        }

        /**
         * Receives peers' session messages.
         *
         * @param sessionMessageHandler the handler.
         * @return this.
         */
        public Context sessionMessageHandler(final SessionMessageHandler sessionMessageHandler)
        {
            this.sessionMessageHandler = sessionMessageHandler;
            return this;
        }

        /**
         * Session message handler.
         *
         * @return the handler.
         */
        public SessionMessageHandler sessionMessageHandler()
        {
            return sessionMessageHandler;
        }

        /**
         * Told of offered session messages that could not be published.
         *
         * @param sendFailureHandler the handler.
         * @return this.
         */
        public Context sendFailureHandler(final SendFailureHandler sendFailureHandler)
        {
            this.sendFailureHandler = sendFailureHandler;
            return this;
        }

        /**
         * Send failure handler.
         *
         * @return the handler.
         */
        public SendFailureHandler sendFailureHandler()
        {
            return sendFailureHandler;
        }

        /**
         * Where resyncs served to peers read this node's sessions.
         *
         * @param resyncSource the source.
         * @return this.
         */
        public Context resyncSource(final ResyncSource resyncSource)
        {
            this.resyncSource = resyncSource;
            return this;
        }

        /**
         * Resync source.
         *
         * @return the source.
         */
        public ResyncSource resyncSource()
        {
            return resyncSource;
        }

        /**
         * Test hook deciding whether each built envelope is published; null publishes all.
         *
         * @param publishFilter the filter.
         * @return this.
         */
        public Context publishFilter(final PublishFilter publishFilter)
        {
            this.publishFilter = publishFilter;
            return this;
        }

        /**
         * Publish filter.
         *
         * @return the filter, or null.
         */
        public PublishFilter publishFilter()
        {
            return publishFilter;
        }
    }
}
