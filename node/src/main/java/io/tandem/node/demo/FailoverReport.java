package io.tandem.node.demo;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.tandem.node.synth.SynthManifest;

/**
 * The figures of one failover demo run, and the verdict. Definitions:
 * <ul>
 *     <li><b>live at the kill</b>: the session was in the active's flow table when it died (the single-node reference
 *     had it open at that packet);</li>
 *     <li><b>older</b>: at least {@code ha.min-session-lifetime} old at the kill (packet time), so the active was
 *     replicating every change of it; <b>younger</b> sessions get only their critical changes replicated;</li>
 *     <li><b>held</b>: the standby had the session in standby at the kill; <b>in sync</b>: with the same counters,
 *     flow and TCP state, ISNs, next sequence numbers and last ACKs as the active;</li>
 *     <li><b>lost</b>: live at the kill, older, and not held: the standby could only pick it up midstream, or not at
 *     all;</li>
 *     <li><b>taken over</b>: held, and promoted by a packet after the kill;</li>
 *     <li><b>matches one node</b>: ends on the standby as on the reference (TCP and flow state, packets and bytes per
 *     direction), and its reassembled stream from the point where the standby took it over (where the active's
 *     reassembly stood at its last replicated update) covers the reference's: every byte the reference has there is
 *     reassembled by the standby (late, reordered segments included) or in a takeover gap, and the standby has no
 *     gap the reference has not.</li>
 * </ul>
 * Takeover gaps are the bytes before the standby's takeover point in sequence space that never reached it: received
 * by the active after its last replicated update (inspected by it, or queued unacknowledged at the kill - IDS
 * reassembly hands data over once acknowledged) or lost on the wire there.
 */
public final class FailoverReport
{
    private static final int MAX_PROBLEMS_SHOWN = 10;

    SynthManifest manifest;
    String link = "";
    String linkSummary = "";
    int sessions;
    long packets;
    long killIndex;
    double speed;
    long killTimeNs;
    boolean replicationOn;
    int minSessionLifetimeMs;
    int minSyncIntervalMs;
    long generateNs;
    long referenceNs;
    long activeNs;
    int referenceFlows;
    int referenceAgreeing;

    long synced;
    long updatesSent;
    long deletesSent;
    long updatesApplied;
    long deletesApplied;
    long pendingAtKill;

    int liveOpen;
    int liveOld;
    int liveYoung;
    int heldOld;
    int heldYoung;
    int inSyncOld;
    int inSyncYoung;
    int lost;
    int outOfSyncOld;

    int takenOverOld;
    int takenOverYoung;
    int matching;
    int streamMismatches;
    int outcomeMismatchesOld;
    int behindYoung;
    long reassembledAfterTakeover;
    long neverSeenBytes;
    long neverSeenDirections;
    long standbyPromoted;
    long takeoverGaps;
    long takeoverGapBytes;

    int lagSamples;
    long lagUnmeasured;
    long lagP50Ns;
    long lagP99Ns;
    long lagMaxNs;
    long inFlightAtKill;
    long neverArrived;
    long caughtUpNs;
    long firstMovedPacketNs;
    long allMovedPacketsNs;
    long movedPackets;

    private final List<String> problems = new ArrayList<>();

    void problem(final String text)
    {
        problems.add(text);
    }

    /**
     * Sessions the standby took over.
     *
     * @return the count.
     */
    int takenOver()
    {
        return takenOverOld + takenOverYoung;
    }

    /**
     * The generator's ground truth for the demo's traffic.
     *
     * @return the manifest.
     */
    public SynthManifest manifest()
    {
        return manifest;
    }

    /**
     * The verdict: nothing lost, every older session in sync at the kill and matching one node after the takeover,
     * every taken-over stream matching from its takeover point, the reference agreeing with the ground truth, and
     * something taken over at all.
     *
     * @return true when the demo passed.
     */
    public boolean ok()
    {
        return lost == 0 && outOfSyncOld == 0 && streamMismatches == 0 && outcomeMismatchesOld == 0 &&
            neverArrived == 0 && takenOver() > 0 && referenceAgreeing == sessions && referenceFlows == sessions;
    }

    public void print(final PrintWriter out)
    {
        out.printf(Locale.ROOT, "tandem demo: active node %d and standby node %d in one process, replicating over %s%n",
            FailoverDemo.ACTIVE_NODE_ID, FailoverDemo.STANDBY_NODE_ID, link);
        out.printf(Locale.ROOT, "traffic:           %,d sessions, %,d packets (generated in %s); the active dies " +
            "at packet %,d (%.0f%%), %s into the capture%n", sessions, packets, duration(generateNs), killIndex,
            100.0 * killIndex / Math.max(1, packets), duration(killTimeNs));
        out.printf(Locale.ROOT, "                   fed to the active %s: %,d packets in %s; the moved rest to " +
            "the standby as fast as it goes%n", speed > 0 ? String.format(Locale.ROOT, "at %s capture speed",
            speed == 1 ? "the" : speed + " times the") : "as fast as it goes", killIndex, duration(activeNs));
        out.printf(Locale.ROOT, "reference:         one node, all traffic: %,d flows, %,d agreeing with the " +
            "generator's ground truth (%s)%n", referenceFlows, referenceAgreeing, duration(referenceNs));
        out.printf(Locale.ROOT, "replication:       %s, ha.min-session-lifetime %d ms, ha.min-sync-interval %d ms; " +
            "%,d updates and %,d deletes sent%n", replicationOn ? "on" : "OFF", minSessionLifetimeMs,
            minSyncIntervalMs, updatesSent, deletesSent);
        out.printf(Locale.ROOT, "sessions synced:   %,d (standby sessions created from %,d updates before the kill; " +
            "%,d with changes still throttled in the active, lost with it)%n", synced, updatesApplied, pendingAtKill);
        out.printf(Locale.ROOT, "live at the kill:  %,d sessions in the active's flow table, %,d of them not closed%n",
            liveOld + liveYoung, liveOpen);
        out.printf(Locale.ROOT, "                   %,d older than ha.min-session-lifetime: %,d held in standby, " +
            "%,d in sync%n", liveOld, heldOld, inSyncOld);
        out.printf(Locale.ROOT, "                   %,d younger: %,d held (critical changes only), %,d in sync%n",
            liveYoung, heldYoung, inSyncYoung);
        out.printf(Locale.ROOT, "sessions lost:     %,d (older, live at the kill, not held: picked up midstream or " +
            "not at all)%n", lost);
        out.printf(Locale.ROOT, "taken over:        %,d (%,d older, %,d younger); %,d match one node that saw all " +
            "the traffic", takenOver(), takenOverOld, takenOverYoung, matching);
        out.printf(Locale.ROOT, "%s%n", behindYoung > 0 ? String.format(Locale.ROOT,
            ", %,d younger ones behind by their throttled changes", behindYoung) : "");
        out.printf(Locale.ROOT, "reassembled:       %,d bytes by the standby after its takeover points; %,d bytes in " +
            "%,d directions in takeover gaps%n", reassembledAfterTakeover, neverSeenBytes, neverSeenDirections);
        out.printf(Locale.ROOT, "                   (sent before the kill and never seen by the standby: received by " +
            "the active after its last update, or lost)%n");
        out.printf(Locale.ROOT, "replication lag:   p50 %s, p99 %s, max %s over %,d updates (active hands an " +
            "update over -> standby has applied it)%s%n", duration(lagP50Ns), duration(lagP99Ns), duration(lagMaxNs),
            lagSamples, lagUnmeasured > 0 ? String.format(Locale.ROOT, "; %,d not measured", lagUnmeasured) : "");
        out.printf(Locale.ROOT, "takeover:          %s from the kill to the first moved packet handled (replication " +
            "caught up in %s, %,d updates were in flight); all %,d moved packets processed in %s%n",
            duration(caughtUpNs + firstMovedPacketNs), duration(caughtUpNs), inFlightAtKill, movedPackets,
            duration(allMovedPacketsNs));
        if (!linkSummary.isEmpty())
        {
            out.printf(Locale.ROOT, "side channel:      %s%n", linkSummary);
        }
        if (neverArrived > 0)
        {
            out.printf(Locale.ROOT, "                   %,d updates sent by the active never arrived%n", neverArrived);
        }
        for (int i = 0; i < Math.min(MAX_PROBLEMS_SHOWN, problems.size()); i++)
        {
            out.println("  " + problems.get(i));
        }
        if (problems.size() > MAX_PROBLEMS_SHOWN)
        {
            out.printf(Locale.ROOT, "  ... and %,d more%n", problems.size() - MAX_PROBLEMS_SHOWN);
        }
        out.println(ok() ? "result: OK" : "result: FAILED");
        out.flush();
    }

    static String duration(final long ns)
    {
        if (ns < 1_000_000L)
        {
            return String.format(Locale.ROOT, "%d us", ns / 1_000L);
        }
        if (ns < 1_000_000_000L)
        {
            return String.format(Locale.ROOT, "%.1f ms", ns / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f s", ns / 1e9);
    }
}
