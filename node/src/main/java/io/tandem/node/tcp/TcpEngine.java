package io.tandem.node.tcp;

import io.tandem.node.decode.Packet;
import io.tandem.node.flow.Flow;
import io.tandem.node.flow.FlowReuseCheck;
import io.tandem.node.flow.FlowState;
import io.tandem.node.flow.FlowTable;
import io.tandem.node.host.HostOsPolicy;
import io.tandem.node.host.HostOsPolicyTable;
import io.tandem.node.stats.StatsSink;
import io.tandem.node.stats.StatsSource;
import io.tandem.node.tcp.state.CloseWaitHandler;
import io.tandem.node.tcp.state.ClosedHandler;
import io.tandem.node.tcp.state.ClosingHandler;
import io.tandem.node.tcp.state.EstablishedHandler;
import io.tandem.node.tcp.state.FinWait1Handler;
import io.tandem.node.tcp.state.FinWait2Handler;
import io.tandem.node.tcp.state.LastAckHandler;
import io.tandem.node.tcp.state.NoneHandler;
import io.tandem.node.tcp.state.SynRecvHandler;
import io.tandem.node.tcp.state.SynSentHandler;
import io.tandem.node.tcp.state.TcpStateHandler;
import io.tandem.node.tcp.state.TimeWaitHandler;

/**
 * The TCP stream tracking engine of one worker, modelled on Suricata's stream-tcp: the worker hands it every TCP
 * packet after the flow table, with the packet's flow and direction; it keeps a {@link TcpSession} per flow (from a
 * memcap-bounded {@link TcpSessionPool}), runs the state machine (one {@link TcpStateHandler} per {@link TcpState}),
 * moves the flow's state, raises stream events and returns a verdict (drop only in inline mode).
 * <p>
 * The public helper methods ({@link #event}, {@link #state}, {@link #validateRst}, ...) are the shared validation
 * the state handlers use; they act on the packet being handled. Nothing is allocated per packet.
 */
public final class TcpEngine implements StatsSource, FlowReuseCheck
{
    /** Verdict: let the packet through. */
    public static final int VERDICT_PASS = 0;
    /** Verdict: drop the packet (inline mode). */
    public static final int VERDICT_DROP = 1;

    /** Largest window scale shift (RFC 7323), assumed on midstream pickup as Suricata does. */
    public static final int WSCALE_MAX = 14;
    /** PAWS: a timestamp older than this many seconds may be accepted again (RFC 7323). */
    public static final long PAWS_24DAYS_SECONDS = 24L * 24 * 60 * 60;

    private static final Object DROP_FLOW = new Object();
    private static final Object PASS_FLOW = new Object();

    private final Context ctx;
    private final FlowTable flowTable;
    private final TcpEventListener listener;
    private final TcpSessionPool pool;
    private final TcpStateHandler[] handlers = new TcpStateHandler[TcpState.values().length];
    private final boolean inline;

    private final long[] eventCounts = new long[TcpStreamEvent.count()];
    private Flow currentFlow;
    private boolean suppressEvents;
    private boolean dropRequested;
    private boolean lastAccepted;

    private long sessions;
    private long midstreamPickups;
    private long invalidChecksum;
    private long syn;
    private long synAck;
    private long rst;
    private long invalid;
    private long drops;
    private long memcapDrops;
    private long urgentDrops;
    private long keepAlive;
    private long keepAliveAck;
    private long dupAck;
    private long windowUpdate;
    private long zeroWindowProbe;
    private long eventsSuppressed;
    private long midstreamPolicyApplied;
    private long memcapPolicyApplied;
    private long bypassed;
    private long reversed;

    /**
     * What to do when the session memcap is hit or a midstream packet is refused (Suricata's exception policies).
     */
    public enum ExceptionPolicy
    {
        /** Carry on. */
        IGNORE("ignore"),
        /** Drop this packet (inline only). */
        DROP_PACKET("drop-packet"),
        /** Drop this and every later packet of the flow (inline only). */
        DROP_FLOW("drop-flow"),
        /** Pass this packet without inspection. */
        PASS_PACKET("pass-packet"),
        /** Pass the whole flow without inspection. */
        PASS_FLOW("pass-flow"),
        /** Bypass the flow. */
        BYPASS("bypass"),
        /** Reject (treated as drop-flow: no packets are sent). */
        REJECT("reject"),
        /** drop-flow in inline mode, ignore otherwise. */
        AUTO("auto");

        private final String configName;

        ExceptionPolicy(final String configName)
        {
            this.configName = configName;
        }

        /**
         * Name in configuration.
         *
         * @return e.g. {@code drop-flow}.
         */
        public String configName()
        {
            return configName;
        }

        /**
         * Policy by configuration name.
         *
         * @param name e.g. {@code pass-flow}.
         * @return the policy.
         * @throws IllegalArgumentException for an unknown name.
         */
        public static ExceptionPolicy fromName(final String name)
        {
            for (final ExceptionPolicy policy : values())
            {
                if (policy.configName.equals(name))
                {
                    return policy;
                }
            }
            throw new IllegalArgumentException("unknown exception policy: " + name);
        }
    }

    /**
     * Settings of the engine ({@code stream:} in tandem.yaml) with Suricata's defaults.
     */
    public static final class Context
    {
        private long memcapBytes = 64L * 1024 * 1024;
        private ExceptionPolicy memcapPolicy = ExceptionPolicy.IGNORE;
        private boolean checksumValidation = true;
        private int preallocSessions = 2048;
        private boolean midstream;
        private ExceptionPolicy midstreamPolicy = ExceptionPolicy.IGNORE;
        private boolean asyncOneside;
        private String inlineMode = "auto";
        private boolean ipsMode;
        private boolean dropInvalid = true;
        private int maxSynQueued = 10;
        private int maxSynAckQueued = 5;
        private boolean bypass;
        private boolean liberalTimestamps = true;
        private boolean dropUrgent;
        private HostOsPolicyTable hostOsPolicies;

        /**
         * Memory for sessions and their handshake queues ({@code stream.memcap}); 0 means no limit.
         *
         * @param bytes the cap.
         * @return this.
         */
        public Context memcapBytes(final long bytes)
        {
            memcapBytes = bytes;
            return this;
        }

        /**
         * Policy when the memcap refuses a session ({@code stream.memcap-policy}).
         *
         * @param policy the policy.
         * @return this.
         */
        public Context memcapPolicy(final ExceptionPolicy policy)
        {
            memcapPolicy = policy;
            return this;
        }

        /**
         * Ignore packets with a bad checksum ({@code stream.checksum-validation}).
         *
         * @param value true to validate.
         * @return this.
         */
        public Context checksumValidation(final boolean value)
        {
            checksumValidation = value;
            return this;
        }

        /**
         * Sessions built at start ({@code stream.prealloc-sessions}).
         *
         * @param count sessions.
         * @return this.
         */
        public Context preallocSessions(final int count)
        {
            preallocSessions = count;
            return this;
        }

        /**
         * Pick up sessions whose handshake was not seen ({@code stream.midstream}).
         *
         * @param value true to pick up.
         * @return this.
         */
        public Context midstream(final boolean value)
        {
            midstream = value;
            return this;
        }

        /**
         * Policy for a midstream packet when midstream pickup is off ({@code stream.midstream-policy}).
         *
         * @param policy the policy.
         * @return this.
         */
        public Context midstreamPolicy(final ExceptionPolicy policy)
        {
            midstreamPolicy = policy;
            return this;
        }

        /**
         * Track sessions of which only one direction is seen ({@code stream.async-oneside}).
         *
         * @param value true to track.
         * @return this.
         */
        public Context asyncOneside(final boolean value)
        {
            asyncOneside = value;
            return this;
        }

        /**
         * Inline mode ({@code stream.inline}: no, yes or auto; auto follows {@link #ipsMode(boolean)}).
         *
         * @param mode no, yes or auto.
         * @return this.
         */
        public Context inlineMode(final String mode)
        {
            inlineMode = mode;
            return this;
        }

        /**
         * Whether the engine runs as an IPS (what {@code inline: auto} follows).
         *
         * @param value true for IPS.
         * @return this.
         */
        public Context ipsMode(final boolean value)
        {
            ipsMode = value;
            return this;
        }

        /**
         * Drop packets the state machine rejects, in inline mode ({@code stream.drop-invalid}).
         *
         * @param value true to drop.
         * @return this.
         */
        public Context dropInvalid(final boolean value)
        {
            dropInvalid = value;
            return this;
        }

        /**
         * Different SYNs remembered per session before {@code 3whs_syn_flood} ({@code stream.max-syn-queued}).
         *
         * @param count 0..255.
         * @return this.
         */
        public Context maxSynQueued(final int count)
        {
            maxSynQueued = count;
            return this;
        }

        /**
         * Different SYN/ACKs remembered per session before {@code 3whs_synack_flood}
         * ({@code stream.max-synack-queued}).
         *
         * @param count 0..255.
         * @return this.
         */
        public Context maxSynAckQueued(final int count)
        {
            maxSynAckQueued = count;
            return this;
        }

        /**
         * Bypass a session once reassembly depth is reached ({@code stream.bypass}).
         *
         * @param value true to bypass.
         * @return this.
         */
        public Context bypass(final boolean value)
        {
            bypass = value;
            return this;
        }

        /**
         * Accept timestamps one lower than the last seen, as Linux does, whatever the host OS policy
         * ({@code stream.liberal-timestamps}).
         *
         * @param value true to be liberal.
         * @return this.
         */
        public Context liberalTimestamps(final boolean value)
        {
            liberalTimestamps = value;
            return this;
        }

        /**
         * Drop every packet with the URG flag in inline mode, before the state machine sees it
         * ({@code stream.reassembly.urgent.policy: drop}, as Suricata's StreamTcpInlineDropUrg); no effect in IDS
         * mode.
         *
         * @param value true to drop.
         * @return this.
         */
        public Context dropUrgent(final boolean value)
        {
            dropUrgent = value;
            return this;
        }

        /**
         * Host OS policies by destination address ({@code host-os-policy}); null means bsd everywhere.
         *
         * @param table the table.
         * @return this.
         */
        public Context hostOsPolicies(final HostOsPolicyTable table)
        {
            hostOsPolicies = table;
            return this;
        }

        /**
         * Whether midstream pickup is on.
         *
         * @return true if on.
         */
        public boolean midstream()
        {
            return midstream;
        }

        /**
         * Whether async-oneside is on.
         *
         * @return true if on.
         */
        public boolean asyncOneside()
        {
            return asyncOneside;
        }

        /**
         * Most different SYNs queued.
         *
         * @return the count.
         */
        public int maxSynQueued()
        {
            return maxSynQueued;
        }

        /**
         * Most different SYN/ACKs queued.
         *
         * @return the count.
         */
        public int maxSynAckQueued()
        {
            return maxSynAckQueued;
        }

        /**
         * Whether liberal timestamps are on.
         *
         * @return true if on.
         */
        public boolean liberalTimestamps()
        {
            return liberalTimestamps;
        }

        /**
         * Whether inline mode is in effect.
         *
         * @return true when {@code inline} is yes, or auto in IPS mode.
         */
        public boolean inline()
        {
            return "yes".equals(inlineMode) || "true".equals(inlineMode) || ("auto".equals(inlineMode) && ipsMode);
        }

        /**
         * Check the settings.
         *
         * @return this.
         * @throws IllegalArgumentException naming the bad setting.
         */
        public Context conclude()
        {
            if (memcapBytes < 0)
            {
                throw new IllegalArgumentException("stream.memcap: " + memcapBytes + " is negative");
            }
            if (preallocSessions < 0)
            {
                throw new IllegalArgumentException("stream.prealloc-sessions: " + preallocSessions + " is negative");
            }
            if (maxSynQueued < 0 || maxSynQueued > 255)
            {
                throw new IllegalArgumentException("stream.max-syn-queued: " + maxSynQueued + " is not in 0..255");
            }
            if (maxSynAckQueued < 0 || maxSynAckQueued > 255)
            {
                throw new IllegalArgumentException(
                    "stream.max-synack-queued: " + maxSynAckQueued + " is not in 0..255");
            }
            if (!"yes".equals(inlineMode) && !"no".equals(inlineMode) && !"auto".equals(inlineMode) &&
                !"true".equals(inlineMode) && !"false".equals(inlineMode))
            {
                throw new IllegalArgumentException("stream.inline: " + inlineMode + " is not one of no, yes, auto");
            }
            return this;
        }
    }

    /**
     * Build an engine.
     *
     * @param ctx       settings (concluded here).
     * @param flowTable the worker's flow table (flow state changes and direction swaps go through it).
     * @param listener  told about every stream event.
     */
    public TcpEngine(final Context ctx, final FlowTable flowTable, final TcpEventListener listener)
    {
        this.ctx = ctx.conclude();
        this.flowTable = flowTable;
        this.listener = listener == null ? TcpEventListener.NONE : listener;
        this.inline = ctx.inline();
        pool = new TcpSessionPool(ctx.memcapBytes, ctx.preallocSessions, Math.max(ctx.maxSynQueued,
            ctx.maxSynAckQueued));
        handlers[TcpState.NONE.ordinal()] = new NoneHandler();
        handlers[TcpState.SYN_SENT.ordinal()] = new SynSentHandler();
        handlers[TcpState.SYN_RECV.ordinal()] = new SynRecvHandler();
        handlers[TcpState.ESTABLISHED.ordinal()] = new EstablishedHandler();
        handlers[TcpState.FIN_WAIT1.ordinal()] = new FinWait1Handler();
        handlers[TcpState.FIN_WAIT2.ordinal()] = new FinWait2Handler();
        handlers[TcpState.TIME_WAIT.ordinal()] = new TimeWaitHandler();
        handlers[TcpState.CLOSE_WAIT.ordinal()] = new CloseWaitHandler();
        handlers[TcpState.LAST_ACK.ordinal()] = new LastAckHandler();
        handlers[TcpState.CLOSING.ordinal()] = new ClosingHandler();
        handlers[TcpState.CLOSED.ordinal()] = new ClosedHandler();
    }

    /**
     * Handle one TCP packet.
     *
     * @param p         a decoded TCP packet.
     * @param flow      its flow (from the flow table).
     * @param direction {@link Flow#TO_SERVER} or {@link Flow#TO_CLIENT}.
     * @return {@link #VERDICT_PASS} or {@link #VERDICT_DROP}.
     */
    public int handle(final Packet p, final Flow flow, final int direction)
    {
        lastAccepted = false;
        if (ctx.checksumValidation && p.checksumInvalid)
        {
            invalidChecksum++;
            return VERDICT_PASS;
        }
        final Object attached = flow.protoState();
        if (attached == DROP_FLOW)
        {
            return drop();
        }
        if (attached == PASS_FLOW || flow.state() == FlowState.BYPASSED)
        {
            return VERDICT_PASS;
        }

        currentFlow = flow;
        dropRequested = false;
        final int flags = p.tcpFlags;
        if ((flags & (Packet.TH_SYN | Packet.TH_ACK)) == (Packet.TH_SYN | Packet.TH_ACK))
        {
            synAck++;
        }
        else if ((flags & Packet.TH_SYN) != 0)
        {
            syn++;
        }
        if ((flags & Packet.TH_RST) != 0)
        {
            rst++;
        }

        final TcpSession ssn = attached instanceof TcpSession s ? s : null;
        boolean toServer = direction == Flow.TO_SERVER;
        suppressEvents = ssn != null &&
            ((ssn.client.flags | ssn.server.flags) & TcpStreamTracker.FLAG_GAP) != 0;

        if ((flags & Packet.TH_ACK) == 0 && p.ack != 0)
        {
            event(p, TcpStreamEvent.PKT_BROKEN_ACK);
        }
        if ((flags & Packet.TH_URG) != 0 && inline && ctx.dropUrgent)
        {
            urgentDrops++;
            return drop();
        }

        final boolean ok;
        if (ssn == null || ssn.state == TcpState.NONE)
        {
            ok = handlers[TcpState.NONE.ordinal()].handle(this, ssn, p, toServer);
        }
        else
        {
            ssn.tcpFlags |= flags;
            (toServer ? ssn.client : ssn.server).tcpFlags |= flags;
            if (ssn.has(TcpSession.FLAG_ASYNC) && ssn.client.tcpFlags != 0 && ssn.server.tcpFlags != 0)
            {
                ssn.flags &= ~TcpSession.FLAG_ASYNC;
            }
            if ((flags & (Packet.TH_SYN | Packet.TH_FIN)) == (Packet.TH_SYN | Packet.TH_FIN))
            {
                event(p, TcpStreamEvent.FIN_SYN);
                ok = false;
            }
            else
            {
                ok = dispatch(ssn, p, toServer);
            }
            checkPostRst(ssn, p, toServer);
        }

        lastAccepted = ok;
        if (dropRequested)
        {
            return drop();
        }
        if (!ok)
        {
            invalid++;
            if (inline && ctx.dropInvalid)
            {
                return drop();
            }
        }
        return VERDICT_PASS;
    }

    private boolean dispatch(final TcpSession ssn, final Packet p, final boolean toServer)
    {
        final TcpStreamTracker snd = toServer ? ssn.client : ssn.server;
        final TcpStreamTracker rcv = toServer ? ssn.server : ssn.client;
        if (ssn.state.atLeastEstablished() && ssn.state != TcpState.CLOSED)
        {
            if (isKeepAlive(p, snd, rcv))
            {
                keepAlive++;
                return true;
            }
            if (isKeepAliveAck(p, snd, rcv))
            {
                keepAliveAck++;
                rcv.flags &= ~TcpStreamTracker.FLAG_KEEPALIVE;
                return true;
            }
            rcv.flags &= ~TcpStreamTracker.FLAG_KEEPALIVE;
            if (isDupAck(p, snd, rcv))
            {
                dupAck++;
            }
            else if (isWindowUpdate(p, snd, rcv))
            {
                windowUpdate++;
            }
            else if (isBadWindowUpdate(ssn, p, snd, rcv))
            {
                return true;
            }
        }
        return handlers[ssn.state.ordinal()].handle(this, ssn, p, toServer);
    }

    private int drop()
    {
        drops++;
        return VERDICT_DROP;
    }

    // ---- flow reuse --------------------------------------------------------------------------------------------

    @Override
    public boolean reuse(final Flow flow, final Packet p, final int direction)
    {
        if (!p.isTcp() || !(flow.protoState() instanceof TcpSession ssn))
        {
            return false;
        }
        final int flags = p.tcpFlags;
        if ((flags & (Packet.TH_RST | Packet.TH_FIN)) != 0)
        {
            return false;
        }
        final int synAck = flags & (Packet.TH_SYN | Packet.TH_ACK);
        if (synAck == Packet.TH_SYN)
        {
            if (direction == Flow.TO_SERVER)
            {
                if (ssn.has(TcpSession.FLAG_TFO_DATA_IGNORED))
                {
                    return true;
                }
                if (p.seq == ssn.client.isn)
                {
                    return false;
                }
            }
            return ssn.state.reusable();
        }
        if (synAck == (Packet.TH_SYN | Packet.TH_ACK) && (ctx.midstream || ctx.asyncOneside))
        {
            if (direction == Flow.TO_CLIENT && p.seq == ssn.server.isn)
            {
                return false;
            }
            return ssn.state.reusable();
        }
        return false;
    }

    /**
     * A flow is ending: give its session back to the pool. Call after the flow's records were written.
     *
     * @param flow the ending flow.
     */
    public void release(final Flow flow)
    {
        if (flow.protoState() instanceof TcpSession ssn)
        {
            pool.release(ssn);
        }
        flow.protoState(null);
    }

    /**
     * Application-protocol detection saw a flow's first data going the wrong way (Suricata's reverse_flow after
     * protocol detection): ask for the flow to be reversed once the data being delivered is out. Only a session
     * picked up midstream on an ACK or data qualifies (a SYN/ACK pickup knows its server already), and only once.
     *
     * @param flow the flow.
     * @return true when the flow will be reversed.
     */
    public static boolean requestReverse(final Flow flow)
    {
        final TcpSession ssn = session(flow);
        if (ssn == null || (ssn.flags & (TcpSession.FLAG_MIDSTREAM | TcpSession.FLAG_MIDSTREAM_SYNACK |
            TcpSession.FLAG_REVERSED | TcpSession.FLAG_REVERSE_PENDING)) != TcpSession.FLAG_MIDSTREAM)
        {
            return false;
        }
        ssn.flags |= TcpSession.FLAG_REVERSE_PENDING;
        return true;
    }

    /**
     * Reverse a flow whose reversal was requested: the flow's client and server (key, counters) and the session's
     * sides are exchanged (Suricata's FlowSwap). The caller swaps the stages' per-direction state too.
     *
     * @param flow the flow.
     * @param ssn  its session.
     */
    public void reverse(final Flow flow, final TcpSession ssn)
    {
        ssn.flags = (ssn.flags & ~TcpSession.FLAG_REVERSE_PENDING) | TcpSession.FLAG_REVERSED;
        ssn.swapDirections();
        flowTable.swap(flow);
        reversed++;
    }

    /**
     * Reassembly reached its depth on a direction of the flow: with {@code stream.bypass} the flow is bypassed.
     *
     * @param flow     the flow.
     * @param toServer the direction.
     */
    public void depthReached(final Flow flow, final boolean toServer)
    {
        if (flow.protoState() instanceof TcpSession ssn)
        {
            (toServer ? ssn.client : ssn.server).flags |= TcpStreamTracker.FLAG_DEPTH_REACHED;
            if (ctx.bypass)
            {
                ssn.flags |= TcpSession.FLAG_BYPASSED;
                flowTable.state(flow, FlowState.BYPASSED);
                bypassed++;
            }
        }
    }

    /**
     * Reassembly found a sequence gap on a direction: stream events stop for the session (no event storm).
     *
     * @param flow     the flow.
     * @param toServer the direction.
     */
    public void gap(final Flow flow, final boolean toServer)
    {
        if (flow.protoState() instanceof TcpSession ssn)
        {
            (toServer ? ssn.client : ssn.server).flags |= TcpStreamTracker.FLAG_GAP;
        }
    }

    /**
     * Whether the state machine accepted the last packet handled (its data may enter reassembly).
     *
     * @return true when accepted.
     */
    public boolean lastAccepted()
    {
        return lastAccepted;
    }

    /**
     * Attach a fresh session to a flow without a packet, for the HA manager to restore replicated state into; the
     * flow's existing session is returned as it is.
     *
     * @param flow the flow (a standby flow).
     * @return the session, or null when the memcap refused it (counted as a memcap drop, no policy applied).
     */
    public TcpSession attachSession(final Flow flow)
    {
        if (flow.protoState() instanceof TcpSession existing)
        {
            return existing;
        }
        final TcpSession ssn = pool.acquire();
        if (ssn == null)
        {
            memcapDrops++;
            return null;
        }
        flow.protoState(ssn);
        return ssn;
    }

    /**
     * The flow of the last packet handled.
     *
     * @return the flow, or null before the first packet.
     */
    public Flow currentFlow()
    {
        return currentFlow;
    }

    /**
     * The session of a flow.
     *
     * @param flow the flow.
     * @return the session, or null.
     */
    public static TcpSession session(final Flow flow)
    {
        return flow.protoState() instanceof TcpSession ssn ? ssn : null;
    }

    // ---- helpers for the state handlers ------------------------------------------------------------------------

    /**
     * The settings.
     *
     * @return the context.
     */
    public Context context()
    {
        return ctx;
    }

    /**
     * Whether inline mode is in effect.
     *
     * @return true inline.
     */
    public boolean inline()
    {
        return inline;
    }

    /**
     * Raise a stream event on the packet being handled (unless the session is past a gap).
     *
     * @param p     the packet.
     * @param event the event.
     */
    public void event(final Packet p, final TcpStreamEvent event)
    {
        if (suppressEvents)
        {
            eventsSuppressed++;
            return;
        }
        eventCounts[event.ordinal()]++;
        listener.onStreamEvent(p, currentFlow, event);
    }

    /**
     * Ask for the packet to be dropped whatever drop-invalid says (inline mode only), as Suricata's unconditional
     * drops.
     */
    public void requestDrop()
    {
        if (inline)
        {
            dropRequested = true;
        }
    }

    /**
     * Change the session state; the flow state follows (new / established / closed).
     *
     * @param ssn   the session.
     * @param state the new state.
     */
    public void state(final TcpSession ssn, final TcpState state)
    {
        if (ssn.state != state)
        {
            ssn.prevState = ssn.state;
            ssn.state = state;
            final FlowState flowState = state.flowState();
            if (currentFlow.state() != FlowState.BYPASSED && flowState != FlowState.NEW)
            {
                flowTable.state(currentFlow, flowState);
            }
        }
    }

    /**
     * Start a session for the flow being handled.
     *
     * @param p the packet that starts it.
     * @return the session, or null when the memcap refused it (counted, memcap policy applied).
     */
    public TcpSession newSession(final Packet p)
    {
        final TcpSession ssn = pool.acquire();
        if (ssn == null)
        {
            memcapDrops++;
            applyPolicy(ctx.memcapPolicy);
            if (ctx.memcapPolicy != ExceptionPolicy.IGNORE)
            {
                memcapPolicyApplied++;
            }
            return null;
        }
        sessions++;
        currentFlow.protoState(ssn);
        return ssn;
    }

    /**
     * A packet would start a session midstream but midstream pickup is off: apply {@code stream.midstream-policy}.
     */
    public void refuseMidstream()
    {
        if (ctx.midstreamPolicy != ExceptionPolicy.IGNORE)
        {
            midstreamPolicyApplied++;
            applyPolicy(ctx.midstreamPolicy);
        }
    }

    /**
     * Count a midstream pickup.
     */
    public void midstreamPickedUp()
    {
        midstreamPickups++;
    }

    /**
     * The flow being handled becomes client-to-server from the packet's receiver (pickup on a SYN/ACK).
     */
    public void swapFlow()
    {
        flowTable.swap(currentFlow);
    }

    private void applyPolicy(final ExceptionPolicy policy)
    {
        switch (policy)
        {
            case DROP_PACKET -> requestDrop();
            case DROP_FLOW, REJECT ->
            {
                if (inline)
                {
                    currentFlow.protoState(DROP_FLOW);
                    dropRequested = true;
                }
            }
            case AUTO ->
            {
                if (inline)
                {
                    currentFlow.protoState(DROP_FLOW);
                    dropRequested = true;
                }
            }
            case PASS_FLOW ->
            {
                currentFlow.protoState(PASS_FLOW);
            }
            case BYPASS ->
            {
                currentFlow.protoState(PASS_FLOW);
                flowTable.state(currentFlow, FlowState.BYPASSED);
                bypassed++;
            }
            default ->
            {
            }
        }
    }

    /**
     * Packet time in whole seconds.
     *
     * @param p the packet.
     * @return seconds since the epoch.
     */
    public static long seconds(final Packet p)
    {
        return Math.floorDiv(p.timestampNs, 1_000_000_000L);
    }

    /**
     * Host OS policy of the packet's destination, remembered on the receiving tracker.
     *
     * @param rcv the receiver's tracker.
     * @param p   the packet.
     * @return the policy (bsd-right as bsd, old-solaris as solaris).
     */
    public HostOsPolicy osPolicy(final TcpStreamTracker rcv, final Packet p)
    {
        if (rcv.osPolicy == null)
        {
            HostOsPolicy policy = ctx.hostOsPolicies == null ? HostOsPolicyTable.DEFAULT_POLICY :
                ctx.hostOsPolicies.lookup(p.ipVersion, p.dstHi, p.dstLo);
            if (policy == HostOsPolicy.BSD_RIGHT)
            {
                policy = HostOsPolicy.BSD;
            }
            else if (policy == HostOsPolicy.OLD_SOLARIS)
            {
                policy = HostOsPolicy.SOLARIS;
            }
            rcv.osPolicy = policy;
        }
        return rcv.osPolicy;
    }

    /**
     * Whether the packet's acknowledgement is acceptable for the direction it acknowledges (Suricata's
     * StreamTcpValidateAck): an ACK beyond the data seen but inside the window is capture loss and valid; one past the
     * window edge raises {@code pkt_invalid_ack}.
     *
     * @param ssn    the session.
     * @param stream the acknowledged direction (the packet's receiver).
     * @param p      the packet.
     * @return true when valid.
     */
    public boolean validateAck(final TcpSession ssn, final TcpStreamTracker stream, final Packet p)
    {
        if ((p.tcpFlags & Packet.TH_ACK) == 0)
        {
            return true;
        }
        final int ack = p.ack;
        if (SeqNum.leq(ack, stream.nextSeq) || ssn.has(TcpSession.FLAG_ASYNC))
        {
            return true;
        }
        if (ssn.state.ordinal() > TcpState.SYN_SENT.ordinal() && SeqNum.gt(ack, stream.nextWin))
        {
            event(p, TcpStreamEvent.PKT_INVALID_ACK);
            return false;
        }
        return true;
    }

    /**
     * Whether a RST is acceptable (Suricata's StreamTcpValidateRst): its ACK must be valid, its timestamp too, and
     * its sequence number must satisfy the receiver's host OS policy.
     *
     * @param ssn      the session.
     * @param p        the RST.
     * @param toServer its direction.
     * @return true when the RST is accepted.
     */
    public boolean validateRst(final TcpSession ssn, final Packet p, final boolean toServer)
    {
        final TcpStreamTracker snd = toServer ? ssn.client : ssn.server;
        final TcpStreamTracker rcv = toServer ? ssn.server : ssn.client;
        final HostOsPolicy policy = osPolicy(rcv, p);
        if ((p.tcpFlags & Packet.TH_ACK) != 0 && p.ack != 0 && !validateAck(ssn, rcv, p))
        {
            event(p, TcpStreamEvent.RST_INVALID_ACK);
            return false;
        }
        if (ssn.has(TcpSession.FLAG_TIMESTAMP) && !validateTimestamp(ssn, p, toServer))
        {
            return false;
        }
        final int seq = p.seq;
        if (ssn.has(TcpSession.FLAG_ASYNC))
        {
            return SeqNum.geq(seq, snd.nextSeq);
        }
        return switch (policy)
        {
            case HPUX11 -> SeqNum.geq(seq, snd.nextSeq);
            case OLD_LINUX, LINUX, SOLARIS -> SeqNum.geq(seq + p.payloadLength, snd.lastAck) &&
                SeqNum.lt(seq, snd.nextSeq + (int)snd.window);
            default -> seq == snd.nextSeq || atUnackedFin(snd, seq);
        };
    }

    /**
     * Whether a sequence number is that of the sender's FIN which the other side has not acknowledged yet: Suricata
     * does not count such a FIN in the sender's next sequence, so a RST sent with the FIN's own sequence number is
     * in sequence for it.
     */
    private static boolean atUnackedFin(final TcpStreamTracker snd, final int seq)
    {
        return snd.has(TcpStreamTracker.FLAG_FIN_SENT) && seq == snd.nextSeq - 1 &&
            SeqNum.lt(snd.lastAck, snd.nextSeq);
    }

    /**
     * Close the session after an accepted RST.
     *
     * @param ssn      the session.
     * @param p        the RST.
     * @param toServer its direction.
     */
    public void closeWithReset(final TcpSession ssn, final Packet p, final boolean toServer)
    {
        final TcpStreamTracker snd = toServer ? ssn.client : ssn.server;
        final TcpStreamTracker rcv = toServer ? ssn.server : ssn.client;
        snd.flags |= TcpStreamTracker.FLAG_RST_SENT;
        ssn.flags |= TcpSession.FLAG_CLOSED_BY_RST;
        if ((p.tcpFlags & Packet.TH_ACK) != 0)
        {
            rcv.updateLastAck(p.ack);
        }
        state(ssn, TcpState.CLOSED);
    }

    /**
     * Validate the packet's timestamp against the sender's last one (PAWS, per the receiver's host OS policy);
     * raises {@code pkt_invalid_timestamp} when it fails. Does not update the stored timestamp.
     *
     * @param ssn      the session.
     * @param p        the packet.
     * @param toServer its direction.
     * @return true when valid.
     */
    public boolean validateTimestamp(final TcpSession ssn, final Packet p, final boolean toServer)
    {
        return checkTimestamp(ssn, p, toServer, false);
    }

    /**
     * Validate the packet's timestamp and, when valid, remember it as the sender's last.
     *
     * @param ssn      the session.
     * @param p        the packet.
     * @param toServer its direction.
     * @return true when valid.
     */
    public boolean handleTimestamp(final TcpSession ssn, final Packet p, final boolean toServer)
    {
        return checkTimestamp(ssn, p, toServer, true);
    }

    private boolean checkTimestamp(final TcpSession ssn, final Packet p, final boolean toServer, final boolean update)
    {
        final TcpStreamTracker snd = toServer ? ssn.client : ssn.server;
        final TcpStreamTracker rcv = toServer ? ssn.server : ssn.client;
        final HostOsPolicy policy = osPolicy(rcv, p);
        if (!p.optTimestamp)
        {
            if (policy == HostOsPolicy.SOLARIS)
            {
                ssn.flags &= ~TcpSession.FLAG_TIMESTAMP;
            }
            return true;
        }
        final int ts = p.tsVal;
        final long nowSeconds = seconds(p);
        long lastPktTs = snd.lastPktTsSeconds;
        int lastTs = snd.lastTs;
        boolean check = true;
        if (snd.has(TcpStreamTracker.FLAG_ZERO_TIMESTAMP))
        {
            switch (policy)
            {
                case LINUX, WINDOWS2K3 -> check = false;
                case OLD_LINUX, WINDOWS, VISTA ->
                {
                    if (p.seq == snd.nextSeq)
                    {
                        lastTs = ts;
                        check = false;
                    }
                }
                default ->
                {
                }
            }
        }
        if (policy == HostOsPolicy.HPUX11 && p.seq != snd.nextSeq)
        {
            check = false;
        }
        if (ts == 0)
        {
            switch (policy)
            {
                case OLD_LINUX, WINDOWS, WINDOWS2K3, VISTA, SOLARIS ->
                {
                }
                default ->
                {
                    event(p, TcpStreamEvent.PKT_INVALID_TIMESTAMP);
                    return false;
                }
            }
        }
        if (!check)
        {
            if (update)
            {
                remember(snd, p, ts, nowSeconds);
            }
            return true;
        }
        final int result = policy == HostOsPolicy.LINUX || ctx.liberalTimestamps ? ts - lastTs + 1 : ts - lastTs;
        if (lastPktTs == 0 && ssn.has(TcpSession.FLAG_MIDSTREAM))
        {
            lastPktTs = nowSeconds;
        }
        boolean valid = true;
        if (result < 0)
        {
            valid = false;
        }
        else if (snd.lastTs != 0 && nowSeconds > lastPktTs + PAWS_24DAYS_SECONDS)
        {
            valid = false;
        }
        if (!valid)
        {
            if (p.seq == snd.nextSeq && nowSeconds > lastPktTs + PAWS_24DAYS_SECONDS)
            {
                if (update)
                {
                    snd.lastTs = ts;
                    snd.lastPktTsSeconds = nowSeconds;
                }
                return true;
            }
            event(p, TcpStreamEvent.PKT_INVALID_TIMESTAMP);
            return false;
        }
        if (update)
        {
            remember(snd, p, ts, nowSeconds);
        }
        return true;
    }

    private static void remember(final TcpStreamTracker snd, final Packet p, final int ts, final long nowSeconds)
    {
        if (p.seq == snd.nextSeq)
        {
            snd.lastTs = ts;
        }
        snd.lastPktTsSeconds = nowSeconds;
    }

    /**
     * Data or ACK in ESTABLISHED (and the states that still take data): the sender's sequence must be within the
     * receiver's window, the acknowledgement valid; then the receiver's window and last ACK are updated
     * (Suricata's HandleEstablishedPacketToServer/ToClient).
     *
     * @param ssn      the session.
     * @param p        the packet.
     * @param toServer its direction.
     * @param invalidAckEvent event for a bad acknowledgement.
     * @param outOfWindowEvent event for data outside the window.
     * @return true when accepted.
     */
    public boolean handleData(
        final TcpSession ssn,
        final Packet p,
        final boolean toServer,
        final TcpStreamEvent invalidAckEvent,
        final TcpStreamEvent outOfWindowEvent)
    {
        final TcpStreamTracker snd = toServer ? ssn.client : ssn.server;
        final TcpStreamTracker rcv = toServer ? ssn.server : ssn.client;
        if (!validateAck(ssn, rcv, p))
        {
            event(p, invalidAckEvent);
            return false;
        }
        if ((p.tcpFlags & Packet.TH_ACK) != 0 && SeqNum.gt(p.ack, rcv.nextSeq) && !ssn.has(TcpSession.FLAG_ASYNC))
        {
            rcv.flags |= TcpStreamTracker.FLAG_GAP;
            rcv.nextSeq = p.ack;
        }
        final int seq = p.seq;
        final int len = p.payloadLength;
        final boolean loose = (ssn.flags & (TcpSession.FLAG_MIDSTREAM | TcpSession.FLAG_ASYNC)) != 0;
        if ((len == 0 || len == 1) && seq == snd.nextSeq - 1)
        {
            snd.flags |= TcpStreamTracker.FLAG_KEEPALIVE;
        }
        else if (!SeqNum.geq(seq + len, snd.lastAck))
        {
            if (ssn.has(TcpSession.FLAG_ASYNC))
            {
                snd.lastAck = seq;
            }
            else
            {
                if (len > 0)
                {
                    event(p, TcpStreamEvent.PKT_SPURIOUS_RETRANSMISSION);
                }
                event(p, TcpStreamEvent.EST_PKT_BEFORE_LAST_ACK);
                return false;
            }
        }
        boolean zwp = false;
        if (len == 1 && seq == snd.nextSeq && snd.window == 0 && !loose)
        {
            zwp = true;
            zeroWindowProbe++;
            ssn.flags |= toServer ? TcpSession.FLAG_ZWP_TS : TcpSession.FLAG_ZWP_TC;
        }
        else if (SeqNum.geq(seq + len, snd.nextSeq))
        {
            snd.updateNextSeq(seq + len);
        }
        else if (len > 0)
        {
            event(p, TcpStreamEvent.PKT_RETRANSMISSION);
        }

        if (zwp || SeqNum.leq(seq + len, snd.nextWin) || loose)
        {
            rcv.window = (long)p.window << rcv.windowScale;
            if ((p.tcpFlags & Packet.TH_ACK) != 0)
            {
                rcv.updateLastAck(p.ack);
            }
            if (ssn.has(TcpSession.FLAG_TIMESTAMP))
            {
                handleTimestamp(ssn, p, toServer);
            }
            rcv.updateNextWin();
            return true;
        }
        event(p, outOfWindowEvent);
        return false;
    }

    /**
     * Whether the packet's sequence number lies outside what its sender may send: before the receiver's last ACK of
     * its data (with data) or past the right edge of the window (checked unless picked up midstream / async).
     *
     * @param ssn the session.
     * @param snd the sender's tracker.
     * @param p   the packet.
     * @return true when out of window.
     */
    public boolean outOfWindow(final TcpSession ssn, final TcpStreamTracker snd, final Packet p)
    {
        final int seq = p.seq;
        if (p.payloadLength > 0 && SeqNum.leq(seq + p.payloadLength, snd.lastAck))
        {
            return true;
        }
        if ((ssn.flags & (TcpSession.FLAG_MIDSTREAM | TcpSession.FLAG_ASYNC)) != 0)
        {
            return false;
        }
        return SeqNum.gt(seq, SeqNum.max(snd.nextWin, snd.lastAck + (int)snd.window));
    }

    /**
     * Update the receiver's view after an accepted packet in a closing state: its window, last ACK, timestamps,
     * and the sender's next sequence for data.
     *
     * @param ssn      the session.
     * @param p        the packet.
     * @param toServer its direction.
     */
    public void accept(final TcpSession ssn, final Packet p, final boolean toServer)
    {
        final TcpStreamTracker snd = toServer ? ssn.client : ssn.server;
        final TcpStreamTracker rcv = toServer ? ssn.server : ssn.client;
        rcv.window = (long)p.window << rcv.windowScale;
        if ((p.tcpFlags & Packet.TH_ACK) != 0)
        {
            rcv.updateLastAck(p.ack);
        }
        if (ssn.has(TcpSession.FLAG_TIMESTAMP))
        {
            handleTimestamp(ssn, p, toServer);
        }
        rcv.updateNextWin();
        if (p.payloadLength > 0 && SeqNum.geq(p.seq + p.payloadLength, snd.nextSeq))
        {
            snd.updateNextSeq(p.seq + p.payloadLength);
        }
    }

    /**
     * A FIN in ESTABLISHED (or SYN_RECV): checked for window and ACK, then the session moves to CLOSE_WAIT (client
     * FIN) or FIN_WAIT1 (server FIN), as Suricata's StreamTcpHandleFin.
     *
     * @param ssn      the session.
     * @param p        the FIN.
     * @param toServer its direction.
     * @return true when accepted.
     */
    public boolean handleFin(final TcpSession ssn, final Packet p, final boolean toServer)
    {
        final TcpStreamTracker snd = toServer ? ssn.client : ssn.server;
        final TcpStreamTracker rcv = toServer ? ssn.server : ssn.client;
        if (SeqNum.lt(p.seq, snd.nextSeq) && !SeqNum.geq(p.seq + p.payloadLength, snd.nextSeq) ||
            outOfWindow(ssn, snd, p))
        {
            event(p, TcpStreamEvent.FIN_OUT_OF_WINDOW);
            return false;
        }
        if (!validateAck(ssn, rcv, p))
        {
            event(p, TcpStreamEvent.FIN_INVALID_ACK);
            return false;
        }
        state(ssn, toServer ? TcpState.CLOSE_WAIT : TcpState.FIN_WAIT1);
        finSent(snd, p);
        accept(ssn, p, toServer);
        return true;
    }

    /**
     * Record the sender's FIN: it takes one sequence number after its data.
     *
     * @param snd the sender's tracker.
     * @param p   the FIN.
     */
    public static void finSent(final TcpStreamTracker snd, final Packet p)
    {
        final int end = p.seq + p.payloadLength + 1;
        if (!snd.has(TcpStreamTracker.FLAG_FIN_SENT) || SeqNum.gt(end, snd.nextSeq))
        {
            snd.updateNextSeq(end);
        }
        snd.flags |= TcpStreamTracker.FLAG_FIN_SENT;
    }

    /**
     * Whether the packet is a retransmission of the sender's FIN.
     *
     * @param snd the sender's tracker.
     * @param p   the packet.
     * @return true for a FIN retransmission.
     */
    public static boolean isFinRetransmission(final TcpStreamTracker snd, final Packet p)
    {
        return (p.tcpFlags & Packet.TH_FIN) != 0 && snd.has(TcpStreamTracker.FLAG_FIN_SENT) &&
            p.seq + p.payloadLength + 1 == snd.nextSeq;
    }

    // ---- packet classification (before the state handler) -----------------------------------------------------

    private static boolean isKeepAlive(final Packet p, final TcpStreamTracker snd, final TcpStreamTracker rcv)
    {
        if (p.payloadLength > 1 || (p.tcpFlags & (Packet.TH_SYN | Packet.TH_FIN | Packet.TH_RST)) != 0)
        {
            return false;
        }
        if (p.ack == rcv.lastAck && p.seq == snd.nextSeq - 1)
        {
            snd.flags |= TcpStreamTracker.FLAG_KEEPALIVE;
            return true;
        }
        return false;
    }

    private static boolean isKeepAliveAck(final Packet p, final TcpStreamTracker snd, final TcpStreamTracker rcv)
    {
        if (p.payloadLength > 0 || (p.tcpFlags & (Packet.TH_SYN | Packet.TH_FIN | Packet.TH_RST)) != 0 ||
            p.window == 0)
        {
            return false;
        }
        final long window = (long)p.window << rcv.windowScale;
        return window == rcv.window && p.ack == rcv.lastAck && p.seq == snd.nextSeq &&
            rcv.has(TcpStreamTracker.FLAG_KEEPALIVE);
    }

    private static boolean isDupAck(final Packet p, final TcpStreamTracker snd, final TcpStreamTracker rcv)
    {
        if (p.payloadLength > 0 || (p.tcpFlags & (Packet.TH_SYN | Packet.TH_FIN | Packet.TH_RST)) != 0 ||
            (p.tcpFlags & Packet.TH_ACK) == 0)
        {
            return false;
        }
        final long window = (long)p.window << rcv.windowScale;
        return window == rcv.window && p.ack == rcv.lastAck && p.seq == snd.nextSeq;
    }

    private static boolean isWindowUpdate(final Packet p, final TcpStreamTracker snd, final TcpStreamTracker rcv)
    {
        if (p.payloadLength > 0 || (p.tcpFlags & (Packet.TH_SYN | Packet.TH_FIN | Packet.TH_RST)) != 0 ||
            p.window == 0)
        {
            return false;
        }
        final long window = (long)p.window << rcv.windowScale;
        return window != rcv.window && p.ack == rcv.lastAck && p.seq == snd.nextSeq;
    }

    private boolean isBadWindowUpdate(
        final TcpSession ssn, final Packet p, final TcpStreamTracker snd, final TcpStreamTracker rcv)
    {
        if ((p.tcpFlags & (Packet.TH_SYN | Packet.TH_FIN | Packet.TH_RST)) != 0)
        {
            return false;
        }
        final long window = (long)p.window << rcv.windowScale;
        if (window < rcv.window)
        {
            final long diff = rcv.window - window;
            if (diff > p.payloadLength && SeqNum.gt(p.ack, rcv.nextSeq) && SeqNum.gt(p.seq, snd.nextSeq))
            {
                final long ackDiff = SeqNum.unsigned(p.ack - rcv.lastAck);
                if ((window > 1024 && diff > ackDiff + 32) || (window <= 1024 && diff > ackDiff))
                {
                    event(p, TcpStreamEvent.PKT_BAD_WINDOW_UPDATE);
                    return true;
                }
            }
        }
        return false;
    }

    private void checkPostRst(final TcpSession ssn, final Packet p, final boolean toServer)
    {
        if ((p.tcpFlags & Packet.TH_RST) != 0)
        {
            return;
        }
        final TcpStreamTracker snd = toServer ? ssn.client : ssn.server;
        if (snd.has(TcpStreamTracker.FLAG_RST_SENT))
        {
            event(p, TcpStreamEvent.SUSPECTED_RST_INJECT);
        }
    }

    // ---- statistics --------------------------------------------------------------------------------------------

    /**
     * Times an event was raised.
     *
     * @param event the event.
     * @return the count.
     */
    public long eventCount(final TcpStreamEvent event)
    {
        return eventCounts[event.ordinal()];
    }

    /**
     * The session pool.
     *
     * @return the pool.
     */
    public TcpSessionPool pool()
    {
        return pool;
    }

    /**
     * Packets dropped (inline verdicts).
     *
     * @return the count.
     */
    public long drops()
    {
        return drops;
    }

    /**
     * Packets the state machine rejected.
     *
     * @return the count.
     */
    public long invalidPackets()
    {
        return invalid;
    }

    @Override
    public void reportStats(final StatsSink sink)
    {
        sink.counter("tcp.sessions", sessions);
        sink.counter("tcp.active_sessions", pool.inUse());
        sink.counter("tcp.ssn_memcap_drop", memcapDrops);
        sink.counter("tcp.memuse", pool.memuseBytes());
        sink.counter("tcp.invalid_checksum", invalidChecksum);
        sink.counter("tcp.syn", syn);
        sink.counter("tcp.synack", synAck);
        sink.counter("tcp.rst", rst);
        sink.counter("tcp.midstream_pickups", midstreamPickups);
        sink.counter("tcp.pkt_invalid", invalid);
        sink.counter("tcp.keepalive", keepAlive);
        sink.counter("tcp.keepalive_ack", keepAliveAck);
        sink.counter("tcp.dup_ack", dupAck);
        sink.counter("tcp.window_update", windowUpdate);
        sink.counter("tcp.zero_window_probe", zeroWindowProbe);
        sink.counter("tcp.events_suppressed", eventsSuppressed);
        sink.counter("tcp.midstream_policy_applied", midstreamPolicyApplied);
        sink.counter("tcp.memcap_policy_applied", memcapPolicyApplied);
        sink.counter("tcp.bypassed", bypassed);
        sink.counter("tcp.flow_reversed", reversed);
        sink.counter("ips.drop_reason.stream_error", drops - urgentDrops);
        sink.counter("ips.drop_reason.stream_urgent", urgentDrops);
        for (final TcpStreamEvent e : TcpStreamEvent.values())
        {
            sink.counter(e.eveName(), eventCounts[e.ordinal()]);
        }
    }
}
