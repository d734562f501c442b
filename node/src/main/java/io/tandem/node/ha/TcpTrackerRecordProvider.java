package io.tandem.node.ha;

import java.nio.ByteOrder;

import io.tandem.node.flow.Flow;
import io.tandem.node.ha.spi.HaRecordProvider;
import io.tandem.node.ha.spi.HaSessionHandle;
import io.tandem.node.host.HostOsPolicy;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.TcpSession;
import io.tandem.node.tcp.TcpState;
import io.tandem.node.tcp.TcpStreamTracker;
import io.tandem.node.tcp.reassembly.ReassemblySession;
import io.tandem.node.tcp.reassembly.ReassemblyStream;
import io.tandem.node.tcp.reassembly.Reassembler;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Tandem's TCP tracker record (preprocessor id 1, subcode 1, as docs/ha-records.md reserves): the session state and,
 * per direction, ISN, next sequence, last ACK, next window edge, window, window scale, SACK-permitted, timestamp state
 * and flags, so that a promoted standby continues the session in sequence instead of picking it up midstream; and
 * where the owner's reassembly of the direction stands (the first sequence number it has not inspected, and that
 * byte's stream offset), so that the standby's stream starts exactly there: bytes the owner inspected are not
 * inspected twice, bytes it had not are not skipped.
 * <p>
 * Layout (version 2), big-endian: version (1), state (1), previous state (1), session TCP flags (1), session flags
 * (4), then the client tracker and the server tracker, {@value #TRACKER_BYTES} bytes each: ISN (4), next seq (4),
 * last ACK (4), next window (4), window (8), window scale (1), SACK-permitted (1), host OS policy ordinal + 1 (1, 0 =
 * none), TCP flags (1), last timestamp (4), flags (4), last packet time in seconds (8), first sequence number not
 * inspected (4), its stream offset (8). Version 1 records (40 bytes per tracker plus 4 reserved, no reassembly
 * position) are still read: the stream then starts at the next sequence number.
 */
public final class TcpTrackerRecordProvider implements HaRecordProvider
{
    /** Preprocessor id of Tandem's TCP records. */
    public static final int PREPROCESSOR_ID = 1;
    /** Subcode of the tracker record. */
    public static final int SUBCODE = 1;
    /** Bytes per direction. */
    public static final int TRACKER_BYTES = 56;
    /** Size of a record. */
    public static final int RECORD_BYTES = 8 + 2 * TRACKER_BYTES;

    private static final int VERSION = 2;
    private static final int VERSION_1 = 1;
    private static final int TRACKER_BYTES_V1 = 48;
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private static final HostOsPolicy[] POLICIES = HostOsPolicy.values();

    private final TcpEngine tcpEngine;
    private int index = -1;
    private long restored;
    private long refused;

    /**
     * A provider over a worker's TCP engine.
     *
     * @param tcpEngine the engine whose sessions it restores.
     */
    public TcpTrackerRecordProvider(final TcpEngine tcpEngine)
    {
        this.tcpEngine = tcpEngine;
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

    /**
     * Sessions restored from records.
     *
     * @return the count.
     */
    public long restored()
    {
        return restored;
    }

    /**
     * Records not applied because the session memcap refused a session.
     *
     * @return the count.
     */
    public long refused()
    {
        return refused;
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
        final TcpSession ssn = TcpEngine.session(((HaSession)session).flow);
        if (ssn == null)
        {
            return 0;
        }
        buffer.putByte(offset, (byte)VERSION);
        buffer.putByte(offset + 1, (byte)ssn.state.ordinal());
        buffer.putByte(offset + 2, (byte)ssn.prevState.ordinal());
        buffer.putByte(offset + 3, (byte)ssn.tcpFlags);
        buffer.putInt(offset + 4, ssn.flags, BE);
        final ReassemblySession rs = Reassembler.state(((HaSession)session).flow);
        putTracker(buffer, offset + 8, ssn.client, rs == null ? null : rs.stream(true));
        putTracker(buffer, offset + 8 + TRACKER_BYTES, ssn.server, rs == null ? null : rs.stream(false));
        return RECORD_BYTES;
    }

    @Override
    public void consume(final HaSessionHandle session, final DirectBuffer buffer, final int offset, final int length)
    {
        final int version = buffer.getByte(offset);
        final int trackerBytes = version == VERSION ? TRACKER_BYTES : TRACKER_BYTES_V1;
        if ((version != VERSION && version != VERSION_1) || length < 8 + 2 * trackerBytes)
        {
            return;
        }
        final Flow flow = ((HaSession)session).flow;
        final TcpSession ssn = tcpEngine.attachSession(flow);
        if (ssn == null)
        {
            refused++;
            return;
        }
        ssn.state = TcpState.fromOrdinal(buffer.getByte(offset + 1) & 0xFF);
        ssn.prevState = TcpState.fromOrdinal(buffer.getByte(offset + 2) & 0xFF);
        ssn.tcpFlags = buffer.getByte(offset + 3) & 0xFF;
        ssn.flags = buffer.getInt(offset + 4, BE);
        ssn.queueLength = 0;
        getTracker(buffer, offset + 8, ssn.client, version);
        getTracker(buffer, offset + 8 + trackerBytes, ssn.server, version);
        restored++;
    }

    private static void putTracker(
        final MutableDirectBuffer buffer, final int at, final TcpStreamTracker t, final ReassemblyStream stream)
    {
        buffer.putInt(at, t.isn, BE);
        buffer.putInt(at + 4, t.nextSeq, BE);
        buffer.putInt(at + 8, t.lastAck, BE);
        buffer.putInt(at + 12, t.nextWin, BE);
        buffer.putLong(at + 16, t.window, BE);
        buffer.putByte(at + 24, (byte)t.windowScale);
        buffer.putByte(at + 25, (byte)(t.sackPermitted ? 1 : 0));
        buffer.putByte(at + 26, (byte)(t.osPolicy == null ? 0 : t.osPolicy.ordinal() + 1));
        buffer.putByte(at + 27, (byte)t.tcpFlags);
        buffer.putInt(at + 28, t.lastTs, BE);
        buffer.putInt(at + 32, t.flags, BE);
        buffer.putLong(at + 36, t.lastPktTsSeconds, BE);
        if (stream != null && stream.initialised())
        {
            buffer.putInt(at + 44, stream.deliverySeq(), BE);
            buffer.putLong(at + 48, stream.appProgress(), BE);
        }
        else if (t.has(TcpStreamTracker.FLAG_TAKEN_OVER))
        {
            buffer.putInt(at + 44, t.takeoverSeq, BE);
            buffer.putLong(at + 48, t.takeoverOffset, BE);
        }
        else
        {
            buffer.putInt(at + 44, t.isn + 1, BE);
            buffer.putLong(at + 48, 0, BE);
        }
    }

    private static void getTracker(
        final DirectBuffer buffer, final int at, final TcpStreamTracker t, final int version)
    {
        t.restore(
            buffer.getInt(at, BE),
            buffer.getInt(at + 4, BE),
            buffer.getInt(at + 8, BE),
            buffer.getLong(at + 16, BE),
            buffer.getByte(at + 24) & 0xFF,
            buffer.getByte(at + 25) != 0,
            buffer.getInt(at + 28, BE),
            buffer.getInt(at + 32, BE));
        t.nextWin = buffer.getInt(at + 12, BE);
        final int policy = buffer.getByte(at + 26) & 0xFF;
        t.osPolicy = policy == 0 || policy > POLICIES.length ? null : POLICIES[policy - 1];
        t.tcpFlags = (short)(buffer.getByte(at + 27) & 0xFF);
        t.lastPktTsSeconds = buffer.getLong(at + 36, BE);
        if (version == VERSION)
        {
            t.takeoverSeq = buffer.getInt(at + 44, BE);
            t.takeoverOffset = buffer.getLong(at + 48, BE);
        }
        else
        {
            t.takeoverSeq = t.nextSeq;
            t.takeoverOffset = 0;
        }
    }
}
