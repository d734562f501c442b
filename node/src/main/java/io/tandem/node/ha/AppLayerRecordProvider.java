package io.tandem.node.ha;

import io.tandem.node.applayer.AppProto;
import io.tandem.node.applayer.AppProtoDetector;
import io.tandem.node.applayer.AppProtoListener;
import io.tandem.node.flow.Flow;
import io.tandem.node.ha.spi.HaRecordProvider;
import io.tandem.node.ha.spi.HaSessionHandle;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.EpochNanoClock;

/**
 * Tandem's app-layer record (preprocessor id 2, subcode 1, as docs/ha-records.md reserves): a flow's application
 * protocol detection state as {@link AppProtoDetector#saveState} lays it out - the flow's protocol, each direction's
 * result and, for a direction still undecided, the bytes seen so far - so that a promoted standby reports the
 * protocol its owner identified and finishes an undecided direction from where the owner was, rather than detecting
 * from midstream bytes.
 * <p>
 * It is also the detector's {@link AppProtoListener} on an HA worker: progress marks the record pending (throttled
 * like any change), and the protocol being identified is a critical change
 * ({@link HaManager#applicationProtocol(Flow, int, long)}).
 */
public final class AppLayerRecordProvider implements HaRecordProvider, AppProtoListener
{
    /** Preprocessor id of Tandem's app-layer records. */
    public static final int PREPROCESSOR_ID = 2;
    /** Subcode of the detection record. */
    public static final int SUBCODE = 1;

    private final AppProtoDetector detector;
    private final HaManager manager;
    private final EpochNanoClock clock;
    private int index = -1;
    private long restored;

    /**
     * A provider over a worker's detector; installs itself as the detector's listener.
     *
     * @param detector the worker's detector.
     * @param manager  the worker's HA manager.
     * @param clock    the time of the packet being processed (packet time, or the clock of a live feed).
     */
    public AppLayerRecordProvider(final AppProtoDetector detector, final HaManager manager, final EpochNanoClock clock)
    {
        this.detector = detector;
        this.manager = manager;
        this.clock = clock;
        detector.listener(this);
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
     * Records applied to standby sessions.
     *
     * @return the count.
     */
    public long restored()
    {
        return restored;
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
        return AppProtoDetector.STATE_MAX_BYTES;
    }

    @Override
    public int produce(final HaSessionHandle session, final MutableDirectBuffer buffer, final int offset)
    {
        return detector.saveState(((HaSession)session).flow, buffer, offset);
    }

    @Override
    public void consume(final HaSessionHandle session, final DirectBuffer buffer, final int offset, final int length)
    {
        if (detector.restoreState(((HaSession)session).flow, buffer, offset, length))
        {
            restored++;
        }
    }

    @Override
    public void onIdentified(final Flow flow, final AppProto proto)
    {
        manager.applicationProtocol(flow, proto.id(), clock.nanoTime());
    }

    @Override
    public void onProgress(final Flow flow)
    {
        if (index >= 0)
        {
            manager.markRecord(flow, index, clock.nanoTime());
        }
    }
}
