package io.tandem.transport;

/**
 * How nodes reach each other; {@link HaTransport.Context#conclude()} turns it into Aeron channels.
 */
public enum ChannelMode
{
    /** Shared memory through one media driver: every node in the same driver (tests, one-process demos). */
    IPC,
    /** UDP to exactly one peer endpoint; this node receives on its local endpoint. */
    UNICAST,
    /** UDP multicast: every node publishes to and subscribes on the same group. */
    MULTICAST,
    /** Multi-destination-cast: one publication sent by UDP to every peer endpoint (manual control mode). */
    MDC
}
