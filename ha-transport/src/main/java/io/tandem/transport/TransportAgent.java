package io.tandem.transport;

import java.util.ArrayDeque;

import org.agrona.DirectBuffer;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntHashSet;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.CodedInputStream;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.Header;
import io.tandem.proto.ha.v1.Control;
import io.tandem.proto.ha.v1.Envelope;
import io.tandem.proto.ha.v1.Heartbeat;
import io.tandem.proto.ha.v1.Hello;
import io.tandem.proto.ha.v1.ResyncBegin;
import io.tandem.proto.ha.v1.ResyncEnd;
import io.tandem.proto.ha.v1.ResyncRequest;
import io.tandem.proto.wire.EnvelopeDecoder;

/**
 * The transport's duty cycle: image events, subscription poll (validate, sequence, dispatch), queued control messages,
 * the ring buffer drained into batches, a served resync's next chunk, heartbeats, peer liveness and readiness. Owns all
 * of the transport's mutable state; runs on one thread.
 */
final class TransportAgent implements Agent
{
    static final int IMAGE_AVAILABLE = 1;
    static final int IMAGE_UNAVAILABLE = 2;

    private static final Logger LOG = LoggerFactory.getLogger(TransportAgent.class);

    private static final int SERVE_IDLE = 0;
    private static final int SERVE_BEGIN = 1;
    private static final int SERVE_STREAM = 2;
    private static final int SERVE_END = 3;

    private final HaTransport.Context ctx;
    private final Aeron aeron;
    private final ExclusivePublication publication;
    private final Subscription subscription;
    private final ManyToOneRingBuffer ringBuffer;
    private final ManyToOneConcurrentArrayQueue<Long> imageEvents;
    private final AtomicCounter[] counters;
    private final AgentInvoker driverInvoker;
    private final AgentInvoker conductorInvoker;
    private final EnvelopeFactory factory;
    private final EnvelopeValidator validator;
    private final NanoClock nanoClock;
    private final EpochNanoClock epochNanoClock;
    private final HaTransport.PublishFilter publishFilter;
    private final int nodeId;
    private final int batchLimitBytes;
    private final int maxPayloadLength;
    private final byte[] sendBytes;
    private final UnsafeBuffer sendBuffer;
    private final byte[] receiveBytes;
    private final UnsafeBuffer receiveBuffer;
    private final EnvelopeDecoder decoder = new EnvelopeDecoder();
    private final BufferClaim bufferClaim = new BufferClaim();
    private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);
    private final ControlledMessageHandler ringHandler = this::onRingMessage;
    private final ResyncSink resyncSink = this::onResyncMessage;

    private final Int2ObjectHashMap<Peer> peers = new Int2ObjectHashMap<>();
    private final Int2IntHashMap imageSessionToNode = new Int2IntHashMap(0);
    private final ArrayDeque<Control> pendingControls = new ArrayDeque<>();

    private final SessionEnvelopeWriter outbound;
    private final SessionEnvelopeWriter resyncBatch;

    private final IntHashSet pendingRequesters = new IntHashSet();
    private int serveState = SERVE_IDLE;
    private long serveResyncId;
    private int serveRequester;
    private long serveExpected;
    private long serveSent;
    private boolean serveProduced;

    private boolean batchFull;
    private long nowNs;
    private final long startNs;
    private long lastHeartbeatNs;
    private int finishedPeers;
    private boolean ready;

    TransportAgent(
        final HaTransport.Context ctx,
        final Aeron aeron,
        final ExclusivePublication publication,
        final Subscription subscription,
        final ManyToOneRingBuffer ringBuffer,
        final ManyToOneConcurrentArrayQueue<Long> imageEvents,
        final AtomicCounter[] counters,
        final AgentInvoker driverInvoker,
        final AgentInvoker conductorInvoker)
    {
        this.driverInvoker = driverInvoker;
        this.conductorInvoker = conductorInvoker;
        this.ctx = ctx;
        this.aeron = aeron;
        this.publication = publication;
        this.subscription = subscription;
        this.ringBuffer = ringBuffer;
        this.imageEvents = imageEvents;
        this.counters = counters;
        this.nodeId = ctx.nodeId();
        this.factory = new EnvelopeFactory(ctx.clusterId(), nodeId, ctx.epoch(), ctx.clusterKey());
        this.validator = new EnvelopeValidator(ctx.clusterId(), ctx.clusterKey());
        this.nanoClock = ctx.nanoClock();
        this.epochNanoClock = ctx.epochNanoClock();
        this.publishFilter = ctx.publishFilter();
        this.maxPayloadLength = publication.maxPayloadLength();
        this.batchLimitBytes = maxPayloadLength - HaTransport.ENVELOPE_OVERHEAD_BYTES;
        this.sendBytes = new byte[publication.maxMessageLength()];
        this.sendBuffer = new UnsafeBuffer(sendBytes);
        this.receiveBytes = new byte[Math.max(publication.maxMessageLength(), 64 * 1024)];
        this.receiveBuffer = new UnsafeBuffer(receiveBytes);
        this.outbound = new SessionEnvelopeWriter(ctx.clusterId(), nodeId, ctx.clusterKey(),
            publication.maxMessageLength());
        this.resyncBatch = new SessionEnvelopeWriter(ctx.clusterId(), nodeId, ctx.clusterKey(),
            publication.maxMessageLength());
        this.startNs = nanoClock.nanoTime();
        this.lastHeartbeatNs = startNs;
        pendingControls.add(Control.newBuilder().setHello(Hello.newBuilder()
            .addSupportedVersions(HaProtocol.VERSION).setSoftwareVersion("tandem")).build());
    }

    long epoch()
    {
        return factory.epoch();
    }

    AtomicCounter counter(final TransportCounter counter)
    {
        return counters[counter.ordinal()];
    }

    private void add(final TransportCounter counter, final long delta)
    {
        final AtomicCounter c = counters[counter.ordinal()];
        c.setRelease(c.getPlain() + delta);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String roleName()
    {
        return "ha-transport-" + nodeId;
    }

    /**
     * {@inheritDoc}
     * <p>
     * With the driver run by this agent, it is invoked first (received data in, status messages out) and again after
     * anything was published, so what this cycle published is on the wire when the cycle ends.
     */
    @Override
    public int doWork()
    {
        nowNs = nanoClock.nanoTime();
        int work = 0;
        if (driverInvoker != null)
        {
            work += driverInvoker.invoke() + conductorInvoker.invoke();
        }
        work += drainImageEvents();
        work += subscription.poll(assembler, ctx.fragmentLimit());
        final long publishedBefore = publication.position();
        work += sendPendingControls();
        work += drainRing();
        work += serveResync();
        work += heartbeat();
        work += checkPeers();
        if (driverInvoker != null && publication.position() != publishedBefore)
        {
            work += driverInvoker.invoke();
        }
        return work;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onClose()
    {
        if (!outbound.isEmpty())
        {
            returnBatch(outbound);
        }
    }

    private int drainImageEvents()
    {
        int work = 0;
        Long event;
        while ((event = imageEvents.poll()) != null)
        {
            work++;
            final int type = (int)(event >>> 32);
            final int sessionId = (int)(long)event;
            if (type == IMAGE_UNAVAILABLE)
            {
                final int peerId = imageSessionToNode.remove(sessionId);
                final Peer peer = peers.get(peerId);
                if (peer != null)
                {
                    add(TransportCounter.IMAGES_LOST, 1);
                    peer.resyncWhenHeard = true;
                    peerDown(peer);
                }
            }
        }
        return work;
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        onEnvelope(buffer, offset, length, header.sessionId());
    }

    /**
     * One received envelope: decoded in place (a copy into the receive buffer, which the HMAC reads), validated,
     * sequenced, and its session messages handed over as bytes; nothing is allocated for a session envelope. Control
     * envelopes, rare, are parsed with protobuf once the decoder has said what they are.
     *
     * @param buffer         holding the envelope.
     * @param offset         where it starts.
     * @param length         its length.
     * @param imageSessionId the Aeron session of the image it came from.
     */
    void onEnvelope(final DirectBuffer buffer, final int offset, final int length, final int imageSessionId)
    {
        add(TransportCounter.BYTES_RECEIVED, length);
        add(TransportCounter.ENVELOPES_RECEIVED, 1);
        final UnsafeBuffer bytes = length <= receiveBytes.length ? receiveBuffer : new UnsafeBuffer(new byte[length]);
        buffer.getBytes(offset, bytes, 0, length);
        if (decoder.wrap(bytes, 0, length).malformed())
        {
            add(TransportCounter.MALFORMED, 1);
            return;
        }
        switch (validator.validate(decoder))
        {
            case ACCEPTED ->
            {
            }
            case UNSUPPORTED_VERSION ->
            {
                add(TransportCounter.VERSION_MISMATCHES, 1);
                return;
            }
            case OTHER_CLUSTER ->
            {
                add(TransportCounter.OTHER_CLUSTER, 1);
                return;
            }
            case BAD_HMAC ->
            {
                add(TransportCounter.AUTH_FAILURES, 1);
                return;
            }
            default ->
            {
                add(TransportCounter.MALFORMED, 1);
                return;
            }
        }
        Control control = null;
        if (decoder.body() == EnvelopeDecoder.BODY_CONTROL)
        {
            control = parseControl(bytes, length);
            if (control == null)
            {
                add(TransportCounter.MALFORMED, 1);
                return;
            }
        }
        final Peer peer = peerOf(decoder.senderNodeId(), decoder.senderEpoch());
        if (peer == null || !sequence(peer, decoder.senderEpoch(), decoder.sequence()))
        {
            return;
        }
        imageSessionToNode.put(imageSessionId, peer.nodeId);
        peer.lastHeardNs = nowNs;
        final long lagNs = Math.max(0, epochNanoClock.nanoTime() - decoder.timestampNs());
        peer.lag.setRelease(lagNs);
        counter(TransportCounter.MAX_LAG_NS).proposeMaxRelease(lagNs);
        if (peer.state == PeerState.DOWN)
        {
            peer.state(peer.awaitingResync ? PeerState.RESYNCING : PeerState.UP);
            peer.resyncWhenHeard = true;
        }
        if (peer.resyncWhenHeard)
        {
            requestResync(peer);
        }
        if (control == null)
        {
            final SessionMessageHandler handler = ctx.sessionMessageHandler();
            while (decoder.nextMessage())
            {
                handler.onSessionMessage(peer.nodeId, bytes, decoder.messageOffset(), decoder.messageLength());
            }
            add(TransportCounter.MESSAGES_RECEIVED, decoder.messageCount());
        }
        else
        {
            onControl(peer, control);
        }
    }

    /**
     * The peer an accepted envelope comes from, made on first sight; null (counted) for this node's own envelopes
     * from another epoch, an invalid sender or one peer too many, and (not counted) for this node's own.
     */
    private Peer peerOf(final int senderId, final long senderEpoch)
    {
        if (senderId == nodeId)
        {
            if (senderEpoch != factory.epoch())
            {
                add(TransportCounter.REJECTED_SENDERS, 1);
            }
            return null;
        }
        Peer peer = peers.get(senderId);
        if (peer == null)
        {
            if (peers.size() >= ctx.maxPeers() || senderId <= 0)
            {
                add(TransportCounter.REJECTED_SENDERS, 1);
                return null;
            }
            peer = new Peer(senderId);
            peers.put(senderId, peer);
        }
        return peer;
    }

    private static Control parseControl(final UnsafeBuffer bytes, final int length)
    {
        try
        {
            return Envelope.parseFrom(CodedInputStream.newInstance(bytes.byteArray(), 0, length)).getControl();
        }
        catch (final java.io.IOException ex)
        {
            return null;
        }
    }

    private boolean sequence(final Peer peer, final long epoch, final long seq)
    {
        if (peer.epoch == 0 || epoch > peer.epoch)
        {
            if (peer.epoch != 0)
            {
                add(TransportCounter.NEW_EPOCHS, 1);
                LOG.info("HA peer {} restarted: epoch {} -> {}", peer.nodeId, peer.epoch, epoch);
            }
            peer.epoch = epoch;
            peer.lastSequence = seq;
            peer.sequenceCounter.setRelease(seq);
            peer.awaitingResync = false;
            requestResync(peer);
            return true;
        }
        if (epoch < peer.epoch || seq <= peer.lastSequence)
        {
            add(TransportCounter.REPLAYED, 1);
            return false;
        }
        if (seq > peer.lastSequence + 1)
        {
            add(TransportCounter.GAPS, 1);
            add(TransportCounter.MISSING_ENVELOPES, seq - peer.lastSequence - 1);
            LOG.debug("HA gap from peer {}: sequence {} after {}", peer.nodeId, seq, peer.lastSequence);
            if (!peer.awaitingResync)
            {
                requestResync(peer);
            }
            else if (!peer.requestQueued)
            {
                peer.resyncId = -1;
                queueResyncRequest(peer);
            }
        }
        peer.lastSequence = seq;
        peer.sequenceCounter.setRelease(seq);
        return true;
    }

    private void onControl(final Peer peer, final Control control)
    {
        switch (control.getKindCase())
        {
            case RESYNC_REQUEST ->
            {
                final int target = control.getResyncRequest().getTargetNodeId();
                if (target == 0 || target == nodeId)
                {
                    add(TransportCounter.RESYNC_REQUESTS_RECEIVED, 1);
                    pendingRequesters.add(peer.nodeId);
                }
            }
            case RESYNC_BEGIN ->
            {
                final ResyncBegin begin = control.getResyncBegin();
                if (peer.awaitingResync && (begin.getRequesterNodeId() == nodeId || begin.getRequesterNodeId() == 0))
                {
                    peer.resyncId = begin.getResyncId();
                }
            }
            case RESYNC_END ->
            {
                final ResyncEnd end = control.getResyncEnd();
                if (peer.awaitingResync && peer.resyncId == end.getResyncId())
                {
                    final long durationNs = nowNs - peer.resyncRequestedNs;
                    add(TransportCounter.RESYNCS_COMPLETED, 1);
                    add(TransportCounter.RESYNC_DURATION_NS, durationNs);
                    counter(TransportCounter.RESYNC_MAX_DURATION_NS).proposeMaxRelease(durationNs);
                    LOG.info("HA resync from peer {} ended: {} sessions in {} ms", peer.nodeId,
                        end.getSentSessions(), durationNs / 1_000_000);
                    resyncFinished(peer);
                }
            }
            default ->
            {
            }
        }
    }

    private void requestResync(final Peer peer)
    {
        peer.resyncWhenHeard = false;
        if (!peer.awaitingResync)
        {
            peer.awaitingResync = true;
            peer.resyncId = -1;
            peer.resyncRequestedNs = nowNs;
            peer.state(PeerState.RESYNCING);
            queueResyncRequest(peer);
        }
    }

    private void queueResyncRequest(final Peer peer)
    {
        peer.requestQueued = true;
        pendingControls.add(Control.newBuilder().setResyncRequest(
            ResyncRequest.newBuilder().setTargetNodeId(peer.nodeId).setFromSequence(0)).build());
    }

    private void resyncFinished(final Peer peer)
    {
        peer.awaitingResync = false;
        peer.state(nowNs - peer.lastHeardNs > ctx.peerTimeoutNs() ? PeerState.DOWN : PeerState.UP);
        if (!peer.finishedOnce)
        {
            peer.finishedOnce = true;
            finishedPeers++;
        }
    }

    private void peerDown(final Peer peer)
    {
        if (peer.state != PeerState.DOWN)
        {
            add(TransportCounter.PEERS_DOWN, 1);
            peer.state(PeerState.DOWN);
            LOG.info("HA peer {} down", peer.nodeId);
        }
    }

    private int sendPendingControls()
    {
        int work = 0;
        Control control;
        while ((control = pendingControls.peek()) != null)
        {
            if (!publish(factory.control(control, epochNanoClock.nanoTime())))
            {
                factory.rollback();
                break;
            }
            if (control.hasResyncRequest())
            {
                add(TransportCounter.RESYNC_REQUESTS_SENT, 1);
                final Peer peer = peers.get(control.getResyncRequest().getTargetNodeId());
                if (peer != null)
                {
                    peer.requestQueued = false;
                    peer.resyncRequestSentNs = nowNs;
                }
            }
            pendingControls.poll();
            work++;
        }
        return work;
    }

    private int drainRing()
    {
        if (!outbound.isEmpty() && !flushOutbound())
        {
            return 0;
        }
        int total = 0;
        while (total < ctx.ringReadLimit())
        {
            batchFull = false;
            final int read = ringBuffer.controlledRead(ringHandler, ctx.ringReadLimit() - total);
            total += read;
            if (!batchFull)
            {
                break;
            }
            if (!flushOutbound())
            {
                return total;
            }
        }
        if (!outbound.isEmpty())
        {
            flushOutbound();
        }
        return total;
    }

    private ControlledMessageHandler.Action onRingMessage(
        final int msgTypeId, final org.agrona.MutableDirectBuffer buffer, final int index, final int length)
    {
        if (msgTypeId == HaTransport.RESYNC_REQUEST_TYPE_ID)
        {
            final int peerId = buffer.getInt(index);
            for (final Peer peer : peers.values())
            {
                if (peerId == 0 || peer.nodeId == peerId)
                {
                    requestResync(peer);
                }
            }
            return ControlledMessageHandler.Action.CONTINUE;
        }
        final int messageLength = length - HaTransport.TAG_LENGTH;
        if (!outbound.isEmpty() && !outbound.fits(messageLength, batchLimitBytes))
        {
            batchFull = true;
            return ControlledMessageHandler.Action.ABORT;
        }
        outbound.add(buffer.getLong(index), buffer, index + HaTransport.TAG_LENGTH, messageLength);
        return ControlledMessageHandler.Action.CONTINUE;
    }

    /**
     * Publish the gathered batch. Back pressure holds it (the ring is not read meanwhile, so offers meet a full ring
     * and the agent reports no work, leaving the core to the driver); only a publication that cannot send at all
     * (no peer connected, closed) hands its messages back.
     *
     * @return false when back pressure holds the batch.
     */
    private boolean flushOutbound()
    {
        final long result = sendBatch(outbound);
        if (result > 0)
        {
            outbound.clear();
            return true;
        }
        if (result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION)
        {
            return false;
        }
        returnBatch(outbound);
        return true;
    }

    private void returnBatch(final SessionEnvelopeWriter batch)
    {
        add(TransportCounter.SEND_FAILURES, 1);
        add(TransportCounter.MESSAGES_RETURNED, batch.size());
        final SendFailureHandler handler = ctx.sendFailureHandler();
        for (int i = 0; i < batch.size(); i++)
        {
            handler.onSendFailed(batch.tag(i), batch.buffer(), batch.messageOffset(i), batch.messageLength(i));
        }
        batch.clear();
    }

    private long sendBatch(final SessionEnvelopeWriter batch)
    {
        final int length = batch.seal(factory.epoch(), factory.nextSequence(), epochNanoClock.nanoTime());
        final long result = publishFilter != null && !publishFilter.shouldPublish(
            parse(batch.buffer(), batch.envelopeOffset(), length)) ? 1 :
            publish(batch.buffer(), batch.envelopeOffset(), length);
        if (result > 0)
        {
            add(TransportCounter.BATCHES_SENT, 1);
            add(TransportCounter.MESSAGES_SENT, batch.size());
            return result;
        }
        factory.rollback();
        return result;
    }

    private static Envelope parse(final UnsafeBuffer buffer, final int offset, final int length)
    {
        try
        {
            return Envelope.parseFrom(CodedInputStream.newInstance(buffer.byteArray(), offset, length));
        }
        catch (final java.io.IOException ex)
        {
            throw new IllegalStateException("an envelope this node wrote does not parse", ex);
        }
    }

    private boolean publish(final Envelope envelope)
    {
        if (publishFilter != null && !publishFilter.shouldPublish(envelope))
        {
            return true;
        }
        final int length = envelope.getSerializedSize();
        try
        {
            final CodedOutputStream out = CodedOutputStream.newInstance(sendBytes, 0, length);
            envelope.writeTo(out);
            out.checkNoSpaceLeft();
        }
        catch (final java.io.IOException ex)
        {
            throw new IllegalStateException("envelope of " + length + " bytes does not fit", ex);
        }
        return publish(sendBuffer, 0, length) > 0;
    }

    private long publish(final UnsafeBuffer source, final int offset, final int length)
    {
        long result = Publication.ADMIN_ACTION;
        for (int attempt = 0; attempt < ctx.sendAttempts(); attempt++)
        {
            if (length <= maxPayloadLength)
            {
                result = publication.tryClaim(length, bufferClaim);
                if (result > 0)
                {
                    bufferClaim.buffer().putBytes(bufferClaim.offset(), source, offset, length);
                    bufferClaim.commit();
                }
            }
            else
            {
                result = publication.offer(source, offset, length);
            }
            if (result > 0)
            {
                add(TransportCounter.ENVELOPES_SENT, 1);
                add(TransportCounter.BYTES_SENT, length);
                return result;
            }
            if (result == Publication.NOT_CONNECTED)
            {
                add(TransportCounter.NOT_CONNECTED, 1);
                return result;
            }
            if (result == Publication.BACK_PRESSURED)
            {
                add(TransportCounter.BACK_PRESSURE_EVENTS, 1);
                return result;
            }
            if (result != Publication.ADMIN_ACTION)
            {
                return result;
            }
        }
        return result;
    }

    private int serveResync()
    {
        if (serveState == SERVE_IDLE)
        {
            if (pendingRequesters.isEmpty())
            {
                return 0;
            }
            serveResyncId++;
            serveRequester = pendingRequesters.size() == 1 ? pendingRequesters.iterator().nextValue() : 0;
            pendingRequesters.clear();
            serveExpected = ctx.resyncSource().beginResync(serveResyncId);
            serveSent = 0;
            serveProduced = false;
            serveState = SERVE_BEGIN;
            add(TransportCounter.RESYNCS_SERVED, 1);
        }
        if (serveState == SERVE_BEGIN)
        {
            if (!sendControl(Control.newBuilder().setResyncBegin(ResyncBegin.newBuilder().setResyncId(serveResyncId)
                .setRequesterNodeId(serveRequester).setExpectedSessions(serveExpected)).build()))
            {
                return 0;
            }
            serveState = SERVE_STREAM;
        }
        int work = 1;
        if (serveState == SERVE_STREAM)
        {
            if (!resyncBatch.isEmpty() && !sendResyncBatch())
            {
                return work;
            }
            if (!serveProduced)
            {
                serveProduced = ctx.resyncSource().produce(resyncSink, ctx.resyncChunkMessages());
            }
            if (!resyncBatch.isEmpty() && !sendResyncBatch())
            {
                return work;
            }
            if (serveProduced)
            {
                serveState = SERVE_END;
            }
        }
        if (serveState == SERVE_END && sendControl(Control.newBuilder().setResyncEnd(ResyncEnd.newBuilder()
            .setResyncId(serveResyncId).setSentSessions(serveSent)).build()))
        {
            serveState = SERVE_IDLE;
            work++;
        }
        return work;
    }

    private boolean onResyncMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        if (!resyncBatch.isEmpty() && !resyncBatch.fits(length, batchLimitBytes) && !sendResyncBatch())
        {
            return false;
        }
        resyncBatch.add(0, buffer, offset, length);
        return true;
    }

    private boolean sendResyncBatch()
    {
        if (sendBatch(resyncBatch) > 0)
        {
            serveSent += resyncBatch.size();
            add(TransportCounter.RESYNC_MESSAGES_SENT, resyncBatch.size());
            resyncBatch.clear();
            return true;
        }
        return false;
    }

    private boolean sendControl(final Control control)
    {
        if (publish(factory.control(control, epochNanoClock.nanoTime())))
        {
            return true;
        }
        factory.rollback();
        return false;
    }

    private int heartbeat()
    {
        if (nowNs - lastHeartbeatNs < ctx.heartbeatIntervalNs())
        {
            return 0;
        }
        lastHeartbeatNs = nowNs;
        if (sendControl(Control.newBuilder().setHeartbeat(Heartbeat.newBuilder()
            .setLastSequence(factory.lastSequence())).build()))
        {
            add(TransportCounter.HEARTBEATS_SENT, 1);
        }
        return 1;
    }

    private int checkPeers()
    {
        int work = 0;
        for (final Peer peer : peers.values())
        {
            if (peer.state != PeerState.DOWN && nowNs - peer.lastHeardNs > ctx.peerTimeoutNs())
            {
                peerDown(peer);
                work++;
            }
            if (peer.awaitingResync && nowNs - peer.resyncRequestedNs > ctx.resyncTimeoutNs())
            {
                add(TransportCounter.RESYNCS_TIMED_OUT, 1);
                LOG.warn("HA resync from peer {} timed out; asking again when it is heard", peer.nodeId);
                resyncFinished(peer);
                peer.resyncWhenHeard = true;
                work++;
            }
            if (peer.awaitingResync && peer.resyncId < 0 && !peer.requestQueued &&
                nowNs - peer.resyncRequestSentNs > ctx.resyncRetryIntervalNs())
            {
                queueResyncRequest(peer);
                work++;
            }
        }
        if (!ready)
        {
            final boolean allFinished = ctx.expectedPeers() > 0 && finishedPeers >= ctx.expectedPeers();
            boolean anyAwaiting = false;
            for (final Peer peer : peers.values())
            {
                anyAwaiting |= peer.awaitingResync;
            }
            if (allFinished || (!anyAwaiting && nowNs - startNs >= ctx.resyncTimeoutNs()))
            {
                ready = true;
                if (!allFinished || counter(TransportCounter.RESYNCS_TIMED_OUT).getPlain() > 0)
                {
                    counter(TransportCounter.READY_BY_TIMEOUT).setRelease(1);
                }
                counter(TransportCounter.READY).setRelease(1);
                LOG.info("HA node {} ready: {} of {} expected peers finished their resync, {} by timeout", nodeId,
                    finishedPeers, ctx.expectedPeers(), counter(TransportCounter.RESYNCS_TIMED_OUT).getPlain());
                work++;
            }
        }
        return work;
    }

    /**
     * What this node knows of one peer; its state, lag and last sequence are also counters.
     */
    private final class Peer
    {
        private final int nodeId;
        private final AtomicCounter stateCounter;
        private final AtomicCounter lag;
        private final AtomicCounter sequenceCounter;
        private PeerState state = PeerState.UP;
        private long epoch;
        private long lastSequence;
        private long lastHeardNs;
        private boolean awaitingResync;
        private boolean resyncWhenHeard;
        private boolean finishedOnce;
        private long resyncId = -1;
        private long resyncRequestedNs;
        private long resyncRequestSentNs;
        private boolean requestQueued;

        Peer(final int peerNodeId)
        {
            this.nodeId = peerNodeId;
            final String suffix = ": node=" + TransportAgent.this.nodeId + " peer=" + peerNodeId;
            stateCounter = HaTransport.addCounter(aeron, TransportCounter.PEER_STATE_TYPE_ID,
                TransportAgent.this.nodeId, peerNodeId, "HA peer state" + suffix);
            lag = HaTransport.addCounter(aeron, TransportCounter.PEER_LAG_TYPE_ID, TransportAgent.this.nodeId,
                peerNodeId, "HA peer lag ns" + suffix);
            sequenceCounter = HaTransport.addCounter(aeron, TransportCounter.PEER_SEQUENCE_TYPE_ID,
                TransportAgent.this.nodeId, peerNodeId, "HA peer last sequence" + suffix);
            stateCounter.setRelease(state.code());
        }

        void state(final PeerState newState)
        {
            state = newState;
            stateCounter.setRelease(newState.code());
        }
    }
}
