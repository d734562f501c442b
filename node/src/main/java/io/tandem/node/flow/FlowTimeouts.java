package io.tandem.node.flow;

import java.util.concurrent.TimeUnit;

/**
 * Idle timeouts per protocol class and flow state, normal and emergency ({@code flow-timeouts:}), with Suricata's
 * defaults. Closed TCP flows use the {@code closed} value; a bypassed flow uses {@code bypassed}.
 */
public final class FlowTimeouts
{
    private final long[][] normalNs = new long[FlowProtocol.count()][FlowState.count()];
    private final long[][] emergencyNs = new long[FlowProtocol.count()][FlowState.count()];

    /**
     * Timeouts with Suricata's defaults (seconds):
     * default 30/300/0/100 (emergency 10/100/0/50), tcp 60/600/60/100 (emergency 5/100/10/50),
     * udp 30/300/0/100 (emergency 10/100/0/50), icmp 30/300/0/100 (emergency 10/100/0/50), as new/established/closed/
     * bypassed.
     */
    public FlowTimeouts()
    {
        set(FlowProtocol.DEFAULT, 30, 300, 0, 100, 10, 100, 0, 50);
        set(FlowProtocol.TCP, 60, 600, 60, 100, 5, 100, 10, 50);
        set(FlowProtocol.UDP, 30, 300, 0, 100, 10, 100, 0, 50);
        set(FlowProtocol.ICMP, 30, 300, 0, 100, 10, 100, 0, 50);
    }

    /**
     * Set one timeout.
     *
     * @param protocol  class.
     * @param state     flow state.
     * @param emergency true for the emergency value.
     * @param seconds   timeout in seconds.
     * @return this.
     */
    public FlowTimeouts timeoutSeconds(
        final FlowProtocol protocol, final FlowState state, final boolean emergency, final long seconds)
    {
        (emergency ? emergencyNs : normalNs)[protocol.ordinal()][state.ordinal()] = TimeUnit.SECONDS.toNanos(seconds);
        return this;
    }

    /**
     * Timeout in nanoseconds.
     *
     * @param protocolOrdinal ordinal of the {@link FlowProtocol}.
     * @param stateOrdinal    ordinal of the {@link FlowState}.
     * @param emergency       whether emergency mode is on.
     * @return the timeout.
     */
    public long timeoutNs(final int protocolOrdinal, final int stateOrdinal, final boolean emergency)
    {
        return (emergency ? emergencyNs : normalNs)[protocolOrdinal][stateOrdinal];
    }

    private void set(
        final FlowProtocol protocol,
        final long newS,
        final long establishedS,
        final long closedS,
        final long bypassedS,
        final long emergencyNewS,
        final long emergencyEstablishedS,
        final long emergencyClosedS,
        final long emergencyBypassedS)
    {
        timeoutSeconds(protocol, FlowState.NEW, false, newS);
        timeoutSeconds(protocol, FlowState.ESTABLISHED, false, establishedS);
        timeoutSeconds(protocol, FlowState.CLOSED, false, closedS);
        timeoutSeconds(protocol, FlowState.BYPASSED, false, bypassedS);
        timeoutSeconds(protocol, FlowState.NEW, true, emergencyNewS);
        timeoutSeconds(protocol, FlowState.ESTABLISHED, true, emergencyEstablishedS);
        timeoutSeconds(protocol, FlowState.CLOSED, true, emergencyClosedS);
        timeoutSeconds(protocol, FlowState.BYPASSED, true, emergencyBypassedS);
    }
}
