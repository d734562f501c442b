package io.tandem.node.ha;

import io.tandem.node.stats.StatsSink;
import io.tandem.node.stats.StatsSource;
import io.tandem.transport.EnvelopeFactory;
import io.tandem.transport.EnvelopeValidator;
import io.tandem.proto.ha.v1.Envelope;
import io.tandem.proto.ha.v1.SessionBatch;

/**
 * The HA manager's seam to envelope building and checking: the one place that knows which classes do it
 * (the transport module's {@link EnvelopeFactory} and {@link EnvelopeValidator}).
 */
public interface HaEnvelopes extends StatsSource
{
    /**
     * Wrap session messages into this node's next envelope.
     *
     * @param batch       the messages.
     * @param timestampNs time of building.
     * @return the envelope.
     */
    Envelope sessions(SessionBatch batch, long timestampNs);

    /**
     * Whether a received envelope may be applied (version, cluster, HMAC); rejections are counted and logged.
     *
     * @param envelope the envelope.
     * @return true to apply it.
     */
    boolean accept(Envelope envelope);

    /**
     * The default envelopes of a node: no cluster key.
     *
     * @param ctx   the HA settings (cluster id, node id).
     * @param epoch this start's epoch.
     * @return the envelopes.
     */
    static HaEnvelopes of(final HaContext ctx, final long epoch)
    {
        final EnvelopeFactory factory = new EnvelopeFactory(ctx.clusterId(), ctx.nodeId(), epoch, null);
        final EnvelopeValidator validator = new EnvelopeValidator(ctx.clusterId(), null);
        return new HaEnvelopes()
        {
            @Override
            public Envelope sessions(final SessionBatch batch, final long timestampNs)
            {
                return factory.sessions(batch, timestampNs);
            }

            @Override
            public boolean accept(final Envelope envelope)
            {
                return validator.validate(envelope) == EnvelopeValidator.Verdict.ACCEPTED;
            }

            @Override
            public void reportStats(final StatsSink sink)
            {
                validator.reportStats(sink::counter);
            }
        };
    }
}
