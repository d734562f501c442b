package io.tandem.node.worker;

import io.tandem.node.applayer.AppProtoDetector;
import io.tandem.node.applayer.StreamConsumer;
import io.tandem.node.config.ConfigSchema;
import io.tandem.node.config.TandemConfig;
import io.tandem.node.decode.DecodeContext;
import io.tandem.node.decode.DecoderEventListener;
import io.tandem.node.defrag.DefragContext;
import io.tandem.node.defrag.DefragPolicy;
import io.tandem.node.flow.FlowEndListener;
import io.tandem.node.flow.FlowProtocol;
import io.tandem.node.flow.FlowState;
import io.tandem.node.flow.FlowTable;
import io.tandem.node.flow.FlowTimeouts;
import io.tandem.node.host.HostOsPolicy;
import io.tandem.node.host.HostOsPolicyTable;
import io.tandem.node.output.EveWriter;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.reassembly.Reassembler;

/**
 * Turns a validated {@link TandemConfig} into the Contexts of a worker's stages. The stages know nothing of YAML;
 * this is the one place that maps configuration keys onto them, and {@link #newWorker} the one way every command
 * builds its workers.
 */
public final class WorkerContexts
{
    private WorkerContexts()
    {
    }

    /**
     * Build a worker the way every command does (analyze, run, demo, bench): its stages from the configuration,
     * application-protocol detection as its first stream consumer, then the command's own consumers. The detection
     * result reaches the EVE flow records ({@code app_proto}) when the flow listener is an {@link EveWriter}, and HA
     * replicates it as the app-layer record when HA is turned on ({@link Worker#enableHa}).
     *
     * @param config        validated configuration.
     * @param flowListener  told about every flow that ends.
     * @param eventListener told about every decoder event (and stream event when it is a TcpEventListener).
     * @param consumers     the command's own stream consumers, fed after detection.
     * @return the worker.
     */
    public static Worker newWorker(
        final TandemConfig config,
        final FlowEndListener flowListener,
        final DecoderEventListener eventListener,
        final StreamConsumer... consumers)
    {
        return newWorker(config, 0, 1, flowListener, eventListener, consumers);
    }

    /**
     * Build one of several workers the way every command does: {@link #newWorker(TandemConfig, FlowEndListener,
     * DecoderEventListener, StreamConsumer...)} with the worker's share of the configuration
     * ({@link #from(TandemConfig, int, int)}).
     *
     * @param config        validated configuration.
     * @param index         the worker's index, 0..workers - 1.
     * @param workers       the number of workers.
     * @param flowListener  told about every flow that ends.
     * @param eventListener told about every decoder event (and stream event when it is a TcpEventListener).
     * @param consumers     the command's own stream consumers, fed after detection.
     * @return the worker.
     */
    public static Worker newWorker(
        final TandemConfig config,
        final int index,
        final int workers,
        final FlowEndListener flowListener,
        final DecoderEventListener eventListener,
        final StreamConsumer... consumers)
    {
        final AppProtoDetector detector = new AppProtoDetector();
        final Worker.Context ctx = from(config, index, workers).streamConsumer(detector);
        for (final StreamConsumer consumer : consumers)
        {
            ctx.streamConsumer(consumer);
        }
        if (flowListener instanceof EveWriter eve)
        {
            eve.appProtoDetector(detector);
        }
        return new Worker(ctx, flowListener, eventListener);
    }

    /**
     * Contexts for the only worker.
     *
     * @param config validated configuration.
     * @return the worker's settings.
     */
    public static Worker.Context from(final TandemConfig config)
    {
        return from(config, 0, 1);
    }

    /**
     * Contexts for one of several workers. The memcaps and table sizes of the configuration are the node's (as in
     * Suricata, where they are global), so each worker gets its share of them; preallocations are per worker as the
     * keys say. Flow ids are numbered so that no two workers hand out the same one.
     *
     * @param config  validated configuration.
     * @param index   the worker's index, 0..workers - 1.
     * @param workers the number of workers.
     * @return the worker's settings.
     */
    public static Worker.Context from(final TandemConfig config, final int index, final int workers)
    {
        final boolean vlanInKey = config.bool("vlan.use-for-tracking");
        final HostOsPolicyTable hostOs = HostOsPolicyTable.fromConfig(config);
        final DefragPolicy[] defragPolicies = new DefragPolicy[HostOsPolicy.values().length];
        for (final HostOsPolicy os : HostOsPolicy.values())
        {
            defragPolicies[os.ordinal()] = DefragPolicy.fromHostOs(os.configName());
        }

        final DecodeContext decode = new DecodeContext()
            .checksumValidation(config.bool("stream.checksum-validation"));

        final DefragContext defrag = new DefragContext()
            .memcapBytes(shareBytes(config.size("defrag.memcap"), workers))
            .hashSize(share(config.integer("defrag.hash-size"), workers))
            .trackers(share(config.integer("defrag.trackers"), workers))
            .maxFrags(share(config.integer("defrag.max-frags"), workers))
            .prealloc(config.bool("defrag.prealloc"))
            .timeoutNs(config.seconds("defrag.timeout") * 1_000_000_000L)
            .vlanInKey(vlanInKey)
            .policyLookup((ipVersion, dstHi, dstLo) ->
                defragPolicies[hostOs.lookup(ipVersion, dstHi, dstLo).ordinal()]);

        final FlowTimeouts timeouts = new FlowTimeouts();
        for (final FlowProtocol protocol : FlowProtocol.values())
        {
            for (final FlowState state : FlowState.values())
            {
                for (final boolean emergency : new boolean[] { false, true })
                {
                    final String key = "flow-timeouts." + protocol.configName() + "." +
                        (emergency ? "emergency-" : "") + state.eveName();
                    if (ConfigSchema.key(key) != null)
                    {
                        timeouts.timeoutSeconds(protocol, state, emergency, config.seconds(key));
                    }
                }
            }
        }

        final FlowTable.Context flow = new FlowTable.Context()
            .memcapBytes(shareBytes(config.size("flow.memcap"), workers))
            .hashSize(share(config.integer("flow.hash-size"), workers))
            .flowIds(index, workers)
            .prealloc(config.integer("flow.prealloc"))
            .emergencyRecoveryPercent(config.integer("flow.emergency-recovery"))
            .pruneFlows(config.integer("flow.prune-flows"))
            .vlanInKey(vlanInKey)
            .timeouts(timeouts);

        final TcpEngine.Context tcp = new TcpEngine.Context()
            .memcapBytes(shareBytes(config.size("stream.memcap"), workers))
            .memcapPolicy(TcpEngine.ExceptionPolicy.fromName(config.string("stream.memcap-policy")))
            .checksumValidation(config.bool("stream.checksum-validation"))
            .preallocSessions(config.integer("stream.prealloc-sessions"))
            .midstream(config.bool("stream.midstream"))
            .midstreamPolicy(TcpEngine.ExceptionPolicy.fromName(config.string("stream.midstream-policy")))
            .asyncOneside(config.bool("stream.async-oneside"))
            .inlineMode(config.string("stream.inline"))
            .dropInvalid(config.bool("stream.drop-invalid"))
            .maxSynQueued(config.integer("stream.max-syn-queued"))
            .maxSynAckQueued(config.integer("stream.max-synack-queued"))
            .bypass(config.bool("stream.bypass"))
            .liberalTimestamps(config.bool("stream.liberal-timestamps"))
            .dropUrgent("drop".equals(config.string("stream.reassembly.urgent.policy")))
            .hostOsPolicies(hostOs);

        final Reassembler.Context reassembly = new Reassembler.Context()
            .memcapBytes(shareBytes(config.size("stream.reassembly.memcap"), workers))
            .memcapPolicy(config.string("stream.reassembly.memcap-policy"))
            .depthBytes(config.size("stream.reassembly.depth"))
            .toServerChunkSize((int)config.size("stream.reassembly.toserver-chunk-size"))
            .toClientChunkSize((int)config.size("stream.reassembly.toclient-chunk-size"))
            .randomizeChunkSize(config.bool("stream.reassembly.randomize-chunk-size"))
            .randomizeChunkRange(config.integer("stream.reassembly.randomize-chunk-range"))
            .raw(config.bool("stream.reassembly.raw"))
            .segmentPrealloc(config.integer("stream.reassembly.segment-prealloc"))
            .checkOverlapDifferentData(config.bool("stream.reassembly.check-overlap-different-data"))
            .maxQueuedBytes(config.size("stream.reassembly.max-queued-bytes"))
            .maxQueuedSegments(config.integer("stream.reassembly.max-queued-segments"))
            .maxOverlaps(config.integer("stream.reassembly.max-overlaps"))
            .urgentPolicy(Reassembler.UrgentPolicy.fromName(config.string("stream.reassembly.urgent.policy")))
            .urgentOobLimitPolicy(
                Reassembler.UrgentPolicy.fromName(config.string("stream.reassembly.urgent.oob-limit-policy")));

        return new Worker.Context().decode(decode).defrag(defrag).flow(flow).tcp(tcp).reassembly(reassembly);
    }

    private static long shareBytes(final long total, final int workers)
    {
        return total > 0 ? Math.max(1, total / workers) : total;
    }

    private static int share(final int total, final int workers)
    {
        return Math.max(1, total / workers);
    }
}
