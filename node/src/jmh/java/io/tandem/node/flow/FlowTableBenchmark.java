package io.tandem.node.flow;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.tandem.node.decode.Packet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Flow lookup and accounting for packets of established flows: the per-packet cost of the flow table.
 * Run with {@code -prof gc} to see that it allocates nothing per packet.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = { "-XX:+UseCompactObjectHeaders" })
public class FlowTableBenchmark
{
    @Param({ "1000", "100000" })
    private int flows;

    private FlowTable table;
    private Packet[] packets;
    private int next;
    private long nowNs;

    /**
     * Fill the table with {@code flows} flows and prepare packets for them in both directions.
     */
    @Setup
    public void setup()
    {
        table = new FlowTable(new FlowTable.Context().memcapBytes(256L * 1024 * 1024).hashSize(262144)
            .prealloc(flows), (flow, reason) -> { });
        final SplittableRandom random = new SplittableRandom(42);
        packets = new Packet[flows * 2];
        for (int i = 0; i < flows; i++)
        {
            final Packet p = new Packet();
            p.reset();
            p.ipVersion = 4;
            p.protocol = 6;
            p.srcLo = random.nextInt() & 0xFFFF_FFFFL;
            p.dstLo = random.nextInt() & 0xFFFF_FFFFL;
            p.srcPort = 1024 + random.nextInt(60000);
            p.dstPort = 443;
            p.capturedLength = 1514;
            p.tcpFlags = Packet.TH_ACK;
            final Packet r = new Packet();
            r.reset();
            r.ipVersion = 4;
            r.protocol = 6;
            r.srcLo = p.dstLo;
            r.dstLo = p.srcLo;
            r.srcPort = p.dstPort;
            r.dstPort = p.srcPort;
            r.capturedLength = 66;
            r.tcpFlags = Packet.TH_ACK;
            packets[2 * i] = p;
            packets[2 * i + 1] = r;
            table.handle(p, 0);
        }
    }

    /**
     * One packet of an existing flow.
     *
     * @return the flow, so the work is not eliminated.
     */
    @Benchmark
    public Flow lookupExisting()
    {
        final Packet p = packets[next];
        next = next + 1 == packets.length ? 0 : next + 1;
        nowNs += 1000;
        return table.handle(p, nowNs);
    }
}
