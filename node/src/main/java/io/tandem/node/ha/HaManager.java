package io.tandem.node.ha;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.function.Consumer;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tandem.node.decode.Packet;
import io.tandem.node.flow.Flow;
import io.tandem.node.flow.FlowEndReason;
import io.tandem.node.flow.FlowKey;
import io.tandem.node.flow.FlowPromotionListener;
import io.tandem.node.flow.FlowTable;
import io.tandem.node.ha.spi.HaRecordRegistry;
import io.tandem.node.stats.StatsSink;
import io.tandem.node.stats.StatsSource;
import io.tandem.node.tcp.SeqNum;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.TcpSession;
import io.tandem.node.tcp.TcpState;
import io.tandem.node.tcp.TcpStreamTracker;
import io.tandem.proto.ha.v1.Envelope;
import io.tandem.proto.ha.v1.IgnoreDirection;
import io.tandem.proto.ha.v1.SessionMessage;
import io.tandem.proto.ha.v1.SessionRecord;
import io.tandem.proto.ha.v1.SessionUpdate;
import io.tandem.proto.wire.SessionMessageReader;
import io.tandem.proto.wire.SessionMessageWriter;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The HA manager of one worker (Snort 2.9.5 Stream5 HA, with its faults fixed): it marks what changed in the sessions
 * the worker owns, sends updates and deletes for them through an {@link HaMessageSink} (an in-memory channel, an HA
 * file, the transport: it does not care which), and applies the updates and deletes peers send, holding those
 * sessions in HA-standby.
 * <p>
 * <b>Change classes</b> ({@link HaChange}): state, counters and sequence numbers, application protocol, verdict,
 * ignore direction, deletion, ownership, extension records. A changed session gets its own pending bit (besides the
 * 8 record bits of {@link HaRecordRegistry}) and waits in a dirty list; {@link #flush(long)} (end of a batch) and
 * {@link #onTimer(long)} (the worker's timer, also when no packet comes) send every session that is due.
 * <p>
 * <b>Throttles</b>: a non-critical update is due once the session is {@code min-session-lifetime} old and the time is
 * at or past its next allowed time, which every update sets to <i>now</i> + {@code min-sync-interval} (so an idle
 * session cannot burst). A state change (each TCP handshake step, a flow state change; teardown steps are critical)
 * is not held by {@code min-sync-interval}, only by {@code min-session-lifetime}: a standby that missed a handshake
 * step could not interpret the packets that follow it, whereas one that missed counters and sequence numbers takes
 * over with a takeover gap. 0 disables a throttle; with both 0, every change that advances a session (counters and
 * sequence numbers included) is replicated at the next flush.
 * <p>
 * <b>Critical changes</b> ignore both throttles and are sent at the next flush:
 * <ul>
 *     <li>the TCP session reaching established (or a non-TCP flow becoming established);</li>
 *     <li>a drop or reset verdict ({@link #verdict(Flow, int, long)}, or the TCP engine's drop);</li>
 *     <li>ignore direction becoming both ({@link #ignoreDirection(Flow, int, long)});</li>
 *     <li>the application protocol identified ({@link #applicationProtocol(Flow, int, long)});</li>
 *     <li>a session closing: each teardown step (a FIN or RST seen: fin-wait, close-wait, closing, last-ack,
 *     time-wait, closed), so a standby knows where each side's data ends;</li>
 *     <li>this node taking a standby session over (promotion);</li>
 *     <li>deletion (deletes are always sent at once).</li>
 * </ul>
 * <p>
 * <b>Deletes</b> are sent only for sessions this node owns and ever synced, when they end by close, timeout, prune or
 * reuse; never for standby sessions, and never when the node stops or a capture ends ({@link FlowEndReason#SHUTDOWN}):
 * a peer can then take the sessions over. {@link #shutdown(long)} sends every pending update, throttled or not.
 * <p>
 * <b>Consumption</b> ({@link #apply(Envelope, long)}): an update for an unknown session creates it in standby, for a
 * known one updates it and puts it in standby; a delete removes a standby session; records are dispatched through the
 * registry (unknown ones counted and skipped). Tandem's own records are registered first: the flow record
 * ({@link FlowRecordProvider}) and the TCP tracker record ({@link TcpTrackerRecordProvider}); a worker with app-layer
 * detection adds the app-layer record ({@link AppLayerRecordProvider}) next.
 * <p>
 * <b>Hand-over</b>: a node that stops (or a capture that ends) sends no deletes; the worker first has each owned TCP
 * session's queued in-order data inspected and marks its TCP record ({@link #handedOver(Flow, long)}), then
 * {@link #shutdown(long)} sends every pending update, so the peer continues each stream right after what this node
 * inspected.
 * <p>
 * <b>Side channel</b> ({@link HaSideChannel}): received session messages come one at a time, already checked by the
 * transport ({@link #apply(SessionMessage, long)}); a message that could not be sent is handed back
 * ({@link #requeue(SessionMessage, long)}) so its session stays pending; a resync a peer asks for reads full-state
 * updates of the owned sessions a few buckets at a time ({@link #snapshotOwned(int, int, Collection, long)}). The
 * sink paces the manager: while its transport has no room ({@link HaMessageSink#hasRoom()}) due sessions stay pending
 * for a later flush, and while no peer is connected ({@link HaMessageSink#connected()}) no update is built at all,
 * the resync of the next peer to connect carrying every owned session.
 * <p>
 * <b>Takeover</b>: the first packet on a standby session promotes it. When a TCP packet shows the standby was behind
 * (sequence or ACK past what it knew), the missing sequence space is a takeover gap ({@link #takeoverGaps()}): counted
 * apart from ordinary gaps, the tracker flagged {@link TcpStreamTracker#FLAG_TAKEOVER_GAP} and moved forward so no
 * evasion event is raised. Each direction whose ISN is known is marked {@link TcpStreamTracker#FLAG_TAKEN_OVER}: its
 * stream continues where the owner's reassembly stood (replicated by the TCP tracker record), and bytes before the
 * owner's next sequence number that never reach this node (segments the owner held beyond a hole, or sent while the
 * standby was behind) are delivered to stream consumers as takeover gaps, not as losses
 * ({@code tcp.reassembly_takeover_gap}).
 * <p>
 * Time is the caller's (packet time, or a clock): every method takes {@code nowNs}. Not thread-safe: one per worker.
 */
public final class HaManager implements FlowPromotionListener, StatsSource
{
    /** Verdict: drop the session's packets. */
    public static final int VERDICT_DROP = 1;
    /** Verdict: reset the session. */
    public static final int VERDICT_RESET = 2;

    private static final int MAX_BATCH_MESSAGES = 256;
    private static final long NS_PER_MS = 1_000_000L;

    private final HaContext ctx;
    private final FlowTable flowTable;
    private final HaRecordRegistry registry;
    private final HaMessageSink sink;
    private final HaEnvelopes envelopes;
    private final FlowRecordProvider flowRecord;
    private final TcpTrackerRecordProvider tcpRecord;
    private final long lifetimeNs;
    private final long intervalNs;
    private ArrayList<HaSession> dirty = new ArrayList<>();
    private ArrayList<HaSession> stillDirty = new ArrayList<>();
    private final ArrayDeque<HaSession> free = new ArrayDeque<>();
    private final FlowKey scratchKey = new FlowKey();
    private final Consumer<Flow> snapshotVisitor = this::snapshotFlow;
    private final HaMessageBatch batch = new HaMessageBatch();
    private final SessionMessageWriter writer = new SessionMessageWriter();
    private final SessionMessageReader reader = new SessionMessageReader();
    private final UnsafeBuffer objectView = new UnsafeBuffer(0, 0);
    private Collection<SessionMessage> snapshotOut;
    private final HaMessageBatch snapshotBatch = new HaMessageBatch();
    private long nowNs = Long.MIN_VALUE;

    private long updatesSent;
    private long deletesSent;
    private long criticalSent;
    private long throttled;
    private long batchesSent;
    private long envelopesReceived;
    private long envelopesRejected;
    private long ownEnvelopesSkipped;
    private long updatesReceived;
    private long deletesReceived;
    private long deletesIgnored;
    private long updatesWithoutFlow;
    private long malformedReceived;
    private long promoted;
    private long takeoverGaps;
    private long takeoverGapBytes;
    private long startupRecords;
    private long startupCorrupt;
    private long requeuedUpdates;
    private long requeuedDeletes;
    private long requeueDropped;
    private long snapshots;
    private long leftToResync;
    private long deferred;

    /**
     * A manager for one worker. Registers Tandem's flow and TCP tracker records in the registry (register plugins
     * after this, e.g. with {@link HaRecordRegistry#registerServices(ClassLoader)}) and becomes the flow table's
     * promotion listener.
     *
     * @param ctx       HA settings (concluded here).
     * @param flowTable the worker's flow table.
     * @param tcpEngine the worker's TCP engine.
     * @param registry  the worker's record registry.
     * @param sink      where generated envelopes go.
     * @param envelopes envelope building and checking.
     */
    public HaManager(
        final HaContext ctx,
        final FlowTable flowTable,
        final TcpEngine tcpEngine,
        final HaRecordRegistry registry,
        final HaMessageSink sink,
        final HaEnvelopes envelopes)
    {
        this.ctx = ctx.conclude();
        this.flowTable = flowTable;
        this.registry = registry;
        this.sink = sink;
        this.envelopes = envelopes;
        this.lifetimeNs = ctx.minSessionLifetimeMs() * NS_PER_MS;
        this.intervalNs = ctx.minSyncIntervalMs() * NS_PER_MS;
        flowRecord = new FlowRecordProvider(flowTable);
        tcpRecord = new TcpTrackerRecordProvider(tcpEngine);
        registry.register(flowRecord);
        registry.register(tcpRecord);
        flowTable.promotionListener(this);
    }

    // ---- owner side --------------------------------------------------------------------------------------------

    /**
     * A packet was processed on a flow this node owns: mark what changed.
     *
     * @param flow    the flow.
     * @param verdict the TCP engine's verdict ({@link TcpEngine#VERDICT_DROP} marks a drop).
     * @param timeNs  now.
     */
    public void onPacket(final Flow flow, final int verdict, final long timeNs)
    {
        advance(timeNs);
        final HaSession s = session(flow);
        if (s.standby)
        {
            return;
        }
        int changes = HaChange.COUNTERS;
        boolean critical = false;
        final int flowState = flow.state().ordinal();
        if (flowState != s.lastFlowState)
        {
            changes |= HaChange.STATE;
            if (flow.state() == io.tandem.node.flow.FlowState.ESTABLISHED && flow.key().protocol() != 6)
            {
                critical = true;
            }
            s.lastFlowState = flowState;
        }
        final TcpSession ssn = TcpEngine.session(flow);
        if (ssn != null)
        {
            final int tcpState = ssn.state.ordinal();
            if (tcpState != s.lastTcpState)
            {
                changes |= HaChange.STATE;
                final boolean wasEstablished = s.lastTcpState >= TcpState.ESTABLISHED.ordinal();
                if (ssn.state.atLeastEstablished() && !wasEstablished)
                {
                    critical = true;
                }
                if (ssn.state.ordinal() > TcpState.ESTABLISHED.ordinal())
                {
                    critical = true;
                }
                s.lastTcpState = tcpState;
            }
            registry.markPending(s, tcpRecord.index());
        }
        if (verdict == TcpEngine.VERDICT_DROP && (s.sessionFlags & HaSession.FLAG_DROPPED) == 0)
        {
            s.sessionFlags |= HaSession.FLAG_DROPPED;
            changes |= HaChange.VERDICT;
            critical = true;
        }
        registry.markPending(s, flowRecord.index());
        mark(s, changes, critical);
    }

    /**
     * The application protocol of a session was identified or changed (critical when first identified).
     *
     * @param flow     the flow.
     * @param appProto the protocol id, 0 for unknown.
     * @param timeNs   now.
     */
    public void applicationProtocol(final Flow flow, final int appProto, final long timeNs)
    {
        advance(timeNs);
        final HaSession s = session(flow);
        if (s.standby || s.appProto == appProto)
        {
            return;
        }
        final boolean critical = s.appProto == 0 && appProto != 0;
        s.appProto = appProto;
        mark(s, HaChange.APP_PROTO, critical);
    }

    /**
     * The directions of a session this node stops inspecting changed (critical when it becomes both).
     *
     * @param flow      the flow.
     * @param direction an {@link IgnoreDirection} number, 0 none .. 3 both.
     * @param timeNs    now.
     */
    public void ignoreDirection(final Flow flow, final int direction, final long timeNs)
    {
        advance(timeNs);
        final HaSession s = session(flow);
        if (s.standby || s.ignoreDirection == direction)
        {
            return;
        }
        s.ignoreDirection = direction;
        mark(s, HaChange.IGNORE_DIRECTION, direction == IgnoreDirection.IGNORE_DIRECTION_BOTH_VALUE);
    }

    /**
     * A drop or reset verdict was given for a session (critical the first time).
     *
     * @param flow    the flow.
     * @param verdict {@link #VERDICT_DROP} or {@link #VERDICT_RESET}.
     * @param timeNs  now.
     */
    public void verdict(final Flow flow, final int verdict, final long timeNs)
    {
        advance(timeNs);
        final HaSession s = session(flow);
        final int flag = verdict == VERDICT_RESET ? HaSession.FLAG_RESET : HaSession.FLAG_DROPPED;
        if (s.standby || (s.sessionFlags & flag) != 0)
        {
            return;
        }
        s.sessionFlags |= flag;
        mark(s, HaChange.VERDICT, true);
    }

    /**
     * An extension record of a session changed (Stream5SetHAPendingBit with the manager told): the record goes with
     * the session's next update, subject to the throttles.
     *
     * @param flow   the flow.
     * @param index  the record's registry index.
     * @param timeNs now.
     */
    public void markRecord(final Flow flow, final int index, final long timeNs)
    {
        advance(timeNs);
        final HaSession s = session(flow);
        if (s.standby)
        {
            return;
        }
        registry.markPending(s, index);
        mark(s, HaChange.RECORD, false);
    }

    /**
     * This node is handing a session over (it stops) and inspected the session's queued data first: its TCP tracker
     * record, which says where this node's reassembly stands, goes with the session's last update.
     *
     * @param flow   the flow.
     * @param timeNs now.
     */
    public void handedOver(final Flow flow, final long timeNs)
    {
        if (TcpEngine.session(flow) != null)
        {
            markRecord(flow, tcpRecord.index(), timeNs);
        }
    }

    /**
     * End of a batch of packets: send every session that is due; while the sink has no room, keep the rest pending
     * for a later flush; while it reaches no peer, build nothing and leave the changes to the next resync.
     *
     * @param timeNs now.
     * @return updates sent.
     */
    public int flush(final long timeNs)
    {
        advance(timeNs);
        final boolean connected = sink.connected();
        if (connected && !dirty.isEmpty() && !sink.hasRoom())
        {
            deferred += dirty.size();
            return 0;
        }
        int sent = 0;
        stillDirty.clear();
        for (int i = 0; i < dirty.size(); i++)
        {
            final HaSession s = dirty.get(i);
            if (s.flow == null)
            {
                s.queued = false;
                free.addLast(s);
            }
            else if (!s.sessionPending || s.standby)
            {
                s.queued = false;
            }
            else if (!(s.critical || due(s)))
            {
                throttled++;
                stillDirty.add(s);
            }
            else if (!connected)
            {
                leaveToResync(s);
                s.queued = false;
            }
            else if (batch.isEmpty() && !sink.hasRoom())
            {
                deferred += dirty.size() - i;
                stillDirty.addAll(dirty.subList(i, dirty.size()));
                break;
            }
            else
            {
                sendUpdate(s);
                s.queued = false;
                sent++;
            }
        }
        final ArrayList<HaSession> swap = dirty;
        dirty = stillDirty;
        stillDirty = swap;
        stillDirty.clear();
        publish();
        return sent;
    }

    /**
     * The worker's timer: flush throttled changes that became due, even when no packet came.
     *
     * @param timeNs now.
     * @return updates sent.
     */
    public int onTimer(final long timeNs)
    {
        return flush(timeNs);
    }

    /**
     * The node stops or the capture ended: send every pending update now, throttled or not, and no deletes.
     *
     * @param timeNs now.
     * @return updates sent.
     */
    public int shutdown(final long timeNs)
    {
        advance(timeNs);
        for (int i = 0; i < dirty.size(); i++)
        {
            final HaSession s = dirty.get(i);
            if (s.flow != null && s.sessionPending && !s.standby)
            {
                s.critical = true;
            }
        }
        return flush(timeNs);
    }

    /**
     * A flow ended (call before its TCP session is released): send a delete when this node owns the session and
     * ever synced it, unless the node is shutting down.
     *
     * @param flow   the flow.
     * @param reason why it ended.
     */
    public void onFlowEnd(final Flow flow, final FlowEndReason reason)
    {
        if (!(flow.haState() instanceof HaSession s))
        {
            return;
        }
        if (!flow.standby() && !s.standby && s.everSynced && reason != FlowEndReason.SHUTDOWN &&
            reason != FlowEndReason.HA_DELETE)
        {
            SessionKeyCodec.write(flow.key(), writer);
            batch.addDelete(writer);
            deletesSent++;
            if (batch.size() >= MAX_BATCH_MESSAGES)
            {
                publish();
            }
        }
        s.flow = null;
        s.sessionPending = false;
        flow.haState(null);
        if (!s.queued)
        {
            free.addLast(s);
        }
    }

    @Override
    public void onPromote(final Flow flow, final Packet p, final int direction)
    {
        promoted++;
        final HaSession s = session(flow);
        s.standby = false;
        s.lastTcpState = -1;
        s.lastFlowState = flow.state().ordinal();
        final TcpSession ssn = TcpEngine.session(flow);
        if (ssn != null && p.isTcp() && ssn.state != TcpState.NONE)
        {
            s.lastTcpState = ssn.state.ordinal();
            final boolean toServer = direction == Flow.TO_SERVER;
            if (ssn.isnKnown(toServer))
            {
                takeoverGap(toServer ? ssn.client : ssn.server, p.seq);
            }
            if ((p.tcpFlags & Packet.TH_ACK) != 0 && ssn.isnKnown(!toServer))
            {
                takeoverGap(toServer ? ssn.server : ssn.client, p.ack);
            }
            if (ssn.isnKnown(true))
            {
                takenOver(ssn.client);
            }
            if (ssn.isnKnown(false))
            {
                takenOver(ssn.server);
            }
        }
        mark(s, HaChange.OWNER, true);
    }

    private static void takenOver(final TcpStreamTracker stream)
    {
        stream.flags |= TcpStreamTracker.FLAG_TAKEN_OVER;
        stream.takeoverEndSeq = stream.nextSeq;
    }

    private void takeoverGap(final TcpStreamTracker stream, final int seq)
    {
        if (SeqNum.gt(seq, stream.nextSeq))
        {
            takeoverGaps++;
            takeoverGapBytes += (seq - stream.nextSeq) & 0xFFFF_FFFFL;
            stream.flags |= TcpStreamTracker.FLAG_TAKEOVER_GAP;
            stream.nextSeq = seq;
            stream.updateLastAck(seq);
            stream.updateNextWin();
        }
    }

    // ---- receiver side -----------------------------------------------------------------------------------------

    /**
     * Apply a received envelope: its updates and deletes, in order. Envelopes this node sent itself are skipped.
     *
     * @param envelope the envelope.
     * @param timeNs   now.
     * @return the number of session messages applied.
     */
    public int apply(final Envelope envelope, final long timeNs)
    {
        advance(timeNs);
        envelopesReceived++;
        if (!envelopes.accept(envelope))
        {
            envelopesRejected++;
            return 0;
        }
        if (envelope.getSenderNodeId() == ctx.nodeId())
        {
            ownEnvelopesSkipped++;
            return 0;
        }
        if (!envelope.hasSessions())
        {
            return 0;
        }
        int applied = 0;
        for (final SessionMessage message : envelope.getSessions().getMessagesList())
        {
            applied += apply(message, timeNs);
        }
        return applied;
    }

    /**
     * Apply one session message a peer sent, already checked by the transport that carried it (version, cluster,
     * HMAC, sequence): the side channel's way in, on the worker thread.
     *
     * @param message the update or delete.
     * @param timeNs  now.
     * @return 1 when applied, 0 when not (a delete for no standby session, an update no flow could be had for).
     */
    public int apply(final SessionMessage message, final long timeNs)
    {
        final byte[] bytes = message.toByteArray();
        objectView.wrap(bytes);
        return apply(objectView, 0, bytes.length, timeNs);
    }

    /**
     * Apply one encoded session message a peer sent, read in place (nothing is allocated): the side channel's way in,
     * on the worker thread, for messages already checked by the transport that carried them (version, cluster, HMAC,
     * sequence). Bytes that are not a well-formed update or delete, or whose key holds more VLAN ids than a flow key
     * can, are dropped and counted ({@code ha.messages.malformed}).
     *
     * @param buffer holding the message.
     * @param offset where it starts.
     * @param length its length.
     * @param timeNs now.
     * @return 1 when applied, 0 when not (a delete for no standby session, an update no flow could be had for).
     */
    public int apply(final DirectBuffer buffer, final int offset, final int length, final long timeNs)
    {
        advance(timeNs);
        if (!reader.wrap(buffer, offset, length))
        {
            malformedReceived++;
            return 0;
        }
        if (reader.kind() == SessionMessageReader.UPDATE)
        {
            return applyUpdate(reader) ? 1 : 0;
        }
        return applyDelete(reader) ? 1 : 0;
    }

    /**
     * The message the last {@link #apply(DirectBuffer, int, int, long)} read, as read: for a listener of applied
     * messages (the bench reads the replication latency off it).
     *
     * @return the reader, valid until the next apply.
     */
    public SessionMessageReader lastApplied()
    {
        return reader;
    }

    /**
     * A message this manager produced could not be sent (the transport's ring was full, or back pressure or a missing
     * peer kept it from being published): keep its session pending so that its state goes again later. An update
     * marks the session changed (subject to the throttles) with the records it carried pending again; a delete is
     * queued again, unless a new session this node owns took the key meanwhile (its updates supersede the delete).
     * An update for a session that ended or became standby meanwhile is dropped (counted): its delete, or the peer
     * that took it over, says what became of it.
     *
     * @param message the unsent update or delete.
     * @param timeNs  now.
     * @return true when it will be sent again.
     */
    public boolean requeue(final SessionMessage message, final long timeNs)
    {
        advance(timeNs);
        if (message.hasDelete())
        {
            final Flow flow = flowTable.lookup(SessionKeyCodec.decode(message.getDelete().getKey(), null, scratchKey));
            if (flow != null && !flow.standby())
            {
                requeueDropped++;
                return false;
            }
            batch.add(message);
            requeuedDeletes++;
            return true;
        }
        final SessionUpdate update = message.getUpdate();
        final Flow flow = flowTable.lookup(SessionKeyCodec.decode(update.getKey(), update.getDirection(), scratchKey));
        final HaSession s = flow == null ? null : sessionOf(flow);
        if (s == null || s.standby || flow.standby())
        {
            requeueDropped++;
            return false;
        }
        for (final SessionRecord record : update.getRecordsList())
        {
            final int index = registry.indexOf(record.getPreprocessorId(), record.getSubcode());
            if (index >= 0)
            {
                registry.markPending(s, index);
            }
        }
        mark(s, HaChange.RESEND, false);
        requeuedUpdates++;
        return true;
    }

    /**
     * Full-state updates of the sessions this node owns, for a resync a peer asked for, a few hash buckets at a time
     * so that the worker is never stalled: walks buckets from {@code fromBucket} until {@code maxMessages} are out
     * (finishing the bucket it is in). A session younger than {@code min-session-lifetime} is left out (its first
     * update follows the throttle); every other owned session gets an update with its core state and every record it
     * ever sent or has pending. Pending changes stay pending: they still go with the session's next update.
     *
     * @param fromBucket  the first bucket to walk, 0 to start.
     * @param maxMessages the most messages to add, at least 1.
     * @param out         where the updates go.
     * @param timeNs      now.
     * @return the next bucket to walk; {@link FlowTable#bucketCount()} once every bucket was walked.
     */
    public int snapshotOwned(
        final int fromBucket, final int maxMessages, final Collection<SessionMessage> out, final long timeNs)
    {
        advance(timeNs);
        snapshotOut = out;
        final int before = out.size();
        int bucket = fromBucket;
        final int buckets = flowTable.bucketCount();
        while (bucket < buckets && out.size() - before < maxMessages)
        {
            flowTable.forEachFlowInBucket(bucket, snapshotVisitor);
            bucket++;
        }
        snapshotOut = null;
        return bucket;
    }

    private void snapshotFlow(final Flow flow)
    {
        final HaSession s = sessionOf(flow);
        if (s == null || s.standby || flow.standby() || nowNs - s.createdNs < lifetimeNs)
        {
            return;
        }
        final int pending = s.pendingMask;
        final int records = (s.syncedMask | pending) & registry.registeredMask();
        s.pendingMask = records;
        writeCore(s, flow);
        HaRecordCodec.addPending(registry, s, writer);
        s.syncedMask |= records;
        s.pendingMask = pending;
        s.everSynced = true;
        snapshots++;
        snapshotBatch.clear();
        snapshotBatch.addUpdate(writer);
        snapshotOut.add(snapshotBatch.message(0));
    }

    /**
     * Prime the flow table from an HA file ({@code ha.startup-input-file}): every envelope is applied in order; a
     * torn tail or corrupt record is skipped and counted.
     *
     * @param path the file.
     * @return the number of session messages applied.
     * @throws IOException when the file cannot be opened or is not an HA file.
     */
    public int prime(final Path path) throws IOException
    {
        int applied = 0;
        for (final Path segment : HaFileReader.segments(path))
        {
            try (HaFileReader reader = HaFileReader.open(segment))
            {
                while (reader.next())
                {
                    startupRecords++;
                    try
                    {
                        applied += apply(reader.envelope(), reader.timestampNs());
                    }
                    catch (final InvalidProtocolBufferException ex)
                    {
                        startupCorrupt++;
                    }
                }
                startupCorrupt += reader.corruptRecords();
            }
        }
        return applied;
    }

    private boolean applyUpdate(final SessionMessageReader update)
    {
        final FlowKey key = SessionKeyCodec.decode(update, update.direction(), scratchKey);
        if (key == null)
        {
            malformedReceived++;
            return false;
        }
        updatesReceived++;
        final Flow flow = flowTable.insertStandby(key, nowNs);
        if (flow == null)
        {
            updatesWithoutFlow++;
            return false;
        }
        final HaSession s = session(flow);
        s.standby = true;
        s.sessionPending = false;
        s.critical = false;
        s.changes = 0;
        s.pendingMask = 0;
        s.sessionFlags = update.sessionFlags();
        s.appProto = update.applicationProtocol();
        s.ignoreDirection = update.ignoreDirection();
        s.createdNs = update.creationTimeNs();
        HaRecordCodec.apply(registry, s, update);
        return true;
    }

    private boolean applyDelete(final SessionMessageReader delete)
    {
        final FlowKey key = SessionKeyCodec.decode(delete, 0, scratchKey);
        if (key == null)
        {
            malformedReceived++;
            return false;
        }
        deletesReceived++;
        final Flow flow = flowTable.lookup(key);
        if (flow == null || !flow.standby())
        {
            deletesIgnored++;
            return false;
        }
        flowTable.remove(flow, FlowEndReason.HA_DELETE);
        return true;
    }

    // ---- internals ---------------------------------------------------------------------------------------------

    private HaSession session(final Flow flow)
    {
        if (flow.haState() instanceof HaSession s)
        {
            return s;
        }
        final HaSession s = free.isEmpty() ? new HaSession() : free.pollFirst();
        s.init(flow, flow.startNs());
        flow.haState(s);
        return s;
    }

    private void mark(final HaSession s, final int changes, final boolean critical)
    {
        s.changes |= changes;
        s.sessionPending = true;
        s.critical |= critical;
        if (!s.queued)
        {
            s.queued = true;
            dirty.add(s);
        }
    }

    private boolean due(final HaSession s)
    {
        return nowNs - s.createdNs >= lifetimeNs && (nowNs >= s.nextAllowedNs || (s.changes & HaChange.STATE) != 0);
    }

    /**
     * A due change while nothing can reach a peer: no update is built. The session's state and every record it
     * ever sent or had pending go with the full-state update of the resync a peer asks for when it connects
     * ({@link #snapshotOwned}), so the change is only marked as taken.
     */
    private void leaveToResync(final HaSession s)
    {
        s.syncedMask |= s.pendingMask & registry.registeredMask();
        s.pendingMask = 0;
        s.sessionPending = false;
        s.critical = false;
        s.changes = 0;
        s.nextAllowedNs = nowNs + intervalNs;
        leftToResync++;
    }

    private void sendUpdate(final HaSession s)
    {
        writeCore(s, s.flow);
        s.syncedMask |= s.pendingMask & registry.registeredMask();
        HaRecordCodec.addPending(registry, s, writer);
        batch.addUpdate(writer);
        updatesSent++;
        if (s.critical)
        {
            criticalSent++;
        }
        s.everSynced = true;
        s.sessionPending = false;
        s.critical = false;
        s.changes = 0;
        s.nextAllowedNs = nowNs + intervalNs;
        if (batch.size() >= MAX_BATCH_MESSAGES)
        {
            publish();
        }
    }

    /** Start the writer's update: the session's key and core state. */
    private void writeCore(final HaSession s, final Flow flow)
    {
        final int direction = SessionKeyCodec.write(flow.key(), writer);
        writer.state(s.sessionFlags, flow.key().protocol(), s.appProto, direction, s.ignoreDirection,
            flow.startNs());
    }

    private void publish()
    {
        if (batch.isEmpty())
        {
            return;
        }
        batchesSent++;
        try
        {
            sink.onSessions(batch, nowNs, envelopes);
        }
        finally
        {
            batch.clear();
        }
    }

    private void advance(final long timeNs)
    {
        if (timeNs > nowNs)
        {
            nowNs = timeNs;
        }
    }

    /**
     * The HA state of a flow.
     *
     * @param flow the flow.
     * @return its session state, or null when the manager never saw it.
     */
    public static HaSession sessionOf(final Flow flow)
    {
        return flow.haState() instanceof HaSession s ? s : null;
    }

    /**
     * The worker's flow table, for the side channel's bookkeeping.
     *
     * @return the table.
     */
    FlowTable flowTable()
    {
        return flowTable;
    }

    /**
     * The record registry.
     *
     * @return the registry.
     */
    public HaRecordRegistry registry()
    {
        return registry;
    }

    /**
     * Sessions waiting for an update (throttled or not yet flushed).
     *
     * @return the count.
     */
    public int dirtySessions()
    {
        return dirty.size();
    }

    /**
     * Updates sent.
     *
     * @return the count.
     */
    public long updatesSent()
    {
        return updatesSent;
    }

    /**
     * Deletes sent.
     *
     * @return the count.
     */
    public long deletesSent()
    {
        return deletesSent;
    }

    /**
     * Takeover gaps found at promotion.
     *
     * @return the count.
     */
    public long takeoverGaps()
    {
        return takeoverGaps;
    }

    /**
     * Bytes of takeover gaps.
     *
     * @return the count.
     */
    public long takeoverGapBytes()
    {
        return takeoverGapBytes;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void reportStats(final StatsSink sink)
    {
        sink.counter("ha.updates.sent", updatesSent);
        sink.counter("ha.updates.critical", criticalSent);
        sink.counter("ha.updates.throttled", throttled);
        sink.counter("ha.deletes.sent", deletesSent);
        sink.counter("ha.batches.sent", batchesSent);
        sink.counter("ha.envelopes.received", envelopesReceived);
        sink.counter("ha.envelopes.not_applied", envelopesRejected);
        sink.counter("ha.envelopes.own_skipped", ownEnvelopesSkipped);
        sink.counter("ha.updates.received", updatesReceived);
        sink.counter("ha.updates.no_flow", updatesWithoutFlow);
        sink.counter("ha.messages.malformed", malformedReceived);
        sink.counter("ha.deletes.received", deletesReceived);
        sink.counter("ha.deletes.ignored", deletesIgnored);
        sink.counter("ha.sessions.promoted", promoted);
        sink.counter("ha.sessions.tcp_restored", tcpRecord.restored());
        sink.counter("ha.sessions.tcp_refused", tcpRecord.refused());
        sink.counter("ha.takeover.gaps", takeoverGaps);
        sink.counter("ha.takeover.gap_bytes", takeoverGapBytes);
        sink.counter("ha.startup.records", startupRecords);
        sink.counter("ha.startup.corrupt", startupCorrupt);
        sink.counter("ha.requeued.updates", requeuedUpdates);
        sink.counter("ha.requeued.deletes", requeuedDeletes);
        sink.counter("ha.requeued.dropped", requeueDropped);
        sink.counter("ha.resync.sessions", snapshots);
        sink.counter("ha.updates.left_to_resync", leftToResync);
        sink.counter("ha.updates.deferred", deferred);
        registry.reportStats(sink);
        envelopes.reportStats(sink);
    }
}
