package io.tandem.node.ha;

import java.nio.ByteOrder;

import io.tandem.node.flow.Flow;
import io.tandem.node.flow.FlowState;
import io.tandem.node.flow.FlowTable;
import io.tandem.node.ha.spi.HaRecordProvider;
import io.tandem.node.ha.spi.HaSessionHandle;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Tandem's flow record (preprocessor id 0, subcode 1): a flow's counters, times, TCP flags and flow state, so that a
 * standby that takes a session over reports the same packets and bytes per direction as its owner would have.
 * Layout, big-endian: version (1), flow state ordinal (1), TCP flags to server (1), to client (1), start ns (8), last
 * ns (8), packets to server (8), to client (8), bytes to server (8), to client (8).
 */
public final class FlowRecordProvider implements HaRecordProvider
{
    /** Preprocessor id of Tandem's core records. */
    public static final int PREPROCESSOR_ID = 0;
    /** Subcode of the flow record. */
    public static final int SUBCODE = 1;
    /** Size of a record. */
    public static final int RECORD_BYTES = 52;

    private static final int VERSION = 1;
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

    private final FlowTable flowTable;
    private int index = -1;

    /**
     * A provider over a worker's flow table.
     *
     * @param flowTable the table whose flows it restores.
     */
    public FlowRecordProvider(final FlowTable flowTable)
    {
        this.flowTable = flowTable;
    }

    /**
     * The bit index the registry gave this record.
     *
     * @return 0..7, or -1 before registration.
     */
    public int index()
    {
        return index;
    }

    @Override
    public void registered(final int bitIndex)
    {
        index = bitIndex;
    }

    @Override
    public int preprocessorId()
    {
        return PREPROCESSOR_ID;
    }

    @Override
    public int subcode()
    {
        return SUBCODE;
    }

    @Override
    public int maxRecordBytes()
    {
        return RECORD_BYTES;
    }

    @Override
    public int produce(final HaSessionHandle session, final MutableDirectBuffer buffer, final int offset)
    {
        final Flow f = ((HaSession)session).flow;
        buffer.putByte(offset, (byte)VERSION);
        buffer.putByte(offset + 1, (byte)f.state().ordinal());
        buffer.putByte(offset + 2, (byte)f.tcpFlagsToServer());
        buffer.putByte(offset + 3, (byte)f.tcpFlagsToClient());
        buffer.putLong(offset + 4, f.startNs(), BE);
        buffer.putLong(offset + 12, f.lastNs(), BE);
        buffer.putLong(offset + 20, f.pktsToServer(), BE);
        buffer.putLong(offset + 28, f.pktsToClient(), BE);
        buffer.putLong(offset + 36, f.bytesToServer(), BE);
        buffer.putLong(offset + 44, f.bytesToClient(), BE);
        return RECORD_BYTES;
    }

    @Override
    public void consume(final HaSessionHandle session, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < RECORD_BYTES || buffer.getByte(offset) != VERSION)
        {
            return;
        }
        final Flow f = ((HaSession)session).flow;
        f.restoreCounters(
            buffer.getLong(offset + 4, BE),
            buffer.getLong(offset + 12, BE),
            buffer.getLong(offset + 20, BE),
            buffer.getLong(offset + 28, BE),
            buffer.getLong(offset + 36, BE),
            buffer.getLong(offset + 44, BE),
            buffer.getByte(offset + 2) & 0xFF,
            buffer.getByte(offset + 3) & 0xFF);
        final int state = buffer.getByte(offset + 1) & 0xFF;
        if (state < FlowState.count())
        {
            flowTable.state(f, FlowState.fromOrdinal(state));
        }
    }
}
