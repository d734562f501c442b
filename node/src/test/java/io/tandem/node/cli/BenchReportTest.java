package io.tandem.node.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

import static org.assertj.core.api.Assertions.assertThat;

class BenchReportTest
{
    @TempDir
    Path dir;

    private final PrintWriter out = new PrintWriter(new StringWriter());

    @Test
    void shouldDrawOnePointPerValueInWellFormedSvg() throws Exception
    {
        final String svg = new SvgChart("T & <t>", "x", "y")
            .categories("1", "2", "4")
            .series("a", new double[]{0, 1, 2}, new double[]{1.5, 2.9, 5.1}, new String[]{"1.5", null, "5.1"})
            .series("b", new double[]{0, 1, 2}, new double[]{3, 3, 3}, null)
            .render();

        final Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
            .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertThat(doc.getElementsByTagName("circle").getLength()).isEqualTo(6);
        assertThat(svg).contains("T &amp; &lt;t&gt;", ">5.1<", ">4<");
    }

    @Test
    void shouldWriteEveryRunAndTheMediansOfAThroughputBench() throws IOException
    {
        BenchReport.throughput(dir, Path.of("x.pcap"), 1000, List.of(1, 2),
            new long[]{100, 300, 200}, new long[][]{{400, 500, 600}, {250, 300, 350}},
            new long[][]{{900, 800, 1000}, {700, 900, 800}}, out);

        assertThat(Files.readAllLines(dir.resolve("throughput.csv"))).hasSize(1 + 3 * 5)
            .contains("1,engine,1,0.000000,1000,2500000000");
        final String json = Files.readString(dir.resolve("throughput.json"));
        assertThat(json).contains("\"engine_speedup_vs_first\" : 1.6666666666666667",
            "\"bare_loop_median_seconds\" : 2.0E-7");
        assertThat(dir.resolve("throughput-vs-workers.svg")).exists();
    }

    @Test
    void shouldChartPercentilesOfRawLatencySamples() throws IOException
    {
        final StringBuilder samples = new StringBuilder("micros\n");
        for (int i = 1; i <= 1000; i++)
        {
            samples.append(i).append('\n');
        }
        final Path csv = dir.resolve("latency.csv");
        Files.writeString(csv, samples);

        BenchReport.latency(csv, dir, out);

        final String svg = Files.readString(dir.resolve("latency-distribution.svg"));
        assertThat(svg).contains(">p50<", ">p99.9<", ">max<", ">500 µs<", ">990 µs<", ">999 µs<", ">1000 µs<");
    }
}
