package io.tandem.node.applayer;

import io.tandem.node.flow.Flow;
import org.agrona.DirectBuffer;

/**
 * Receives a TCP flow's reassembled streams: application data per direction, in order, as soon as the reassembler
 * releases it (ACKed in IDS mode, accepted in inline mode), and, when {@link #wantsRaw()}, the same bytes again as raw
 * chunks of at least the configured chunk size for stream inspection. Implementations register through
 * {@link java.util.ServiceLoader} ({@code META-INF/services/io.tandem.node.applayer.StreamConsumer}) and are called
 * on the owning worker's thread only; buffers are valid during the call only.
 */
public interface StreamConsumer
{
    /** Flag: the call reports missing data; {@code length} is the gap's length and the buffer is null. */
    int FLAG_GAP = 0x01;
    /** Flag: the direction reached {@code stream.reassembly.depth}; nothing more follows but EOF. */
    int FLAG_DEPTH = 0x02;
    /** Flag: the direction ended (flow closed, timed out or capture ended); the call carries no bytes. */
    int FLAG_EOF = 0x04;
    /**
     * Flag, with {@link #FLAG_GAP}: a takeover gap - the bytes were seen by the HA peer that owned the session before
     * this node took it over and never reached this node (not a loss on the wire, not an evasion).
     */
    int FLAG_TAKEOVER_GAP = 0x08;

    /**
     * Application data, a gap or the end of a direction.
     *
     * @param flow     the flow.
     * @param toServer the direction.
     * @param buffer   the bytes (null with {@link #FLAG_GAP} or {@link #FLAG_EOF} alone).
     * @param offset   index of the first byte in {@code buffer}.
     * @param length   bytes delivered, or the gap length with {@link #FLAG_GAP}.
     * @param flags    {@link #FLAG_GAP}, {@link #FLAG_DEPTH}, {@link #FLAG_EOF}.
     */
    void onData(Flow flow, boolean toServer, DirectBuffer buffer, int offset, int length, int flags);

    /**
     * Whether this consumer wants raw chunks ({@code stream.reassembly.raw} must be on too).
     *
     * @return true for raw chunks.
     */
    default boolean wantsRaw()
    {
        return false;
    }

    /**
     * A raw chunk: contiguous reassembled bytes of at least the direction's chunk size (less at a gap, depth or EOF).
     *
     * @param flow     the flow.
     * @param toServer the direction.
     * @param buffer   the bytes (null with {@link #FLAG_GAP} or {@link #FLAG_EOF} alone).
     * @param offset   index of the first byte in {@code buffer}.
     * @param length   bytes in the chunk, or the gap length with {@link #FLAG_GAP}.
     * @param flags    {@link #FLAG_GAP}, {@link #FLAG_DEPTH}, {@link #FLAG_EOF}.
     */
    default void onRawChunk(
        final Flow flow, final boolean toServer, final DirectBuffer buffer, final int offset, final int length,
        final int flags)
    {
    }

    /**
     * The flow was reversed: protocol detection found that the first data of a session picked up midstream went from
     * the server (Suricata's FLOW_DIR_REVERSED). From now on {@code toServer} names the other side; a consumer that
     * keeps state per direction exchanges it here. Called between deliveries, never during one.
     *
     * @param flow the flow (already reversed).
     */
    default void onDirectionReversed(final Flow flow)
    {
    }

    /**
     * A UDP datagram's payload (UDP flows have no stream; each datagram is delivered as it is).
     *
     * @param flow     the flow.
     * @param toServer the direction.
     * @param buffer   the payload.
     * @param offset   index of its first byte.
     * @param length   its length.
     */
    default void onDatagram(
        final Flow flow, final boolean toServer, final DirectBuffer buffer, final int offset, final int length)
    {
    }
}
