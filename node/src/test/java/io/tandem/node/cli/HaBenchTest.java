package io.tandem.node.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tandem bench --ha} end to end, shortened: a child standby JVM on each path, every update sent applied, every
 * run's figures in the report. It checks that the bench works and accounts for every update, not what the figures
 * are.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HaBenchTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReplicateEveryUpdateToAStandbyProcessOnBothPathsAndReportEachRun() throws Exception
    {
        final Path report = dir.resolve("report");
        final StringWriter output = new StringWriter();
        final CommandLine cli = TandemCommand.commandLine();
        cli.setOut(new PrintWriter(output, true));
        final int exit = cli.execute("bench", "--ha", "--runs", "2", "--sessions", "200", "--seconds", "0.3",
            "--latency-seconds", "0.3", "--rate", "2000", "--ha-threads", "composed", "--report", report.toString());

        assertThat(exit).as(output.toString()).isZero();
        assertThat(output.toString()).contains("median transport path over 2 runs", "median manager path over 2 runs");
        final List<String> rows = Files.readAllLines(report.resolve("ha-replication.csv"), StandardCharsets.UTF_8);
        assertThat(rows).hasSize(1 + 2 * 2 * 2);
        for (final String row : rows.subList(1, rows.size()))
        {
            final String[] fields = row.split(",");
            assertThat(Long.parseLong(fields[5])).as(row).isPositive().isEqualTo(Long.parseLong(fields[4]));
            if ("latency".equals(fields[2]))
            {
                assertThat(Long.parseLong(fields[5])).as("a latency run offers rate x seconds").isEqualTo(600);
                assertThat(Double.parseDouble(fields[8])).as(row).isPositive();
            }
        }
        final JsonNode json = new ObjectMapper().readTree(report.resolve("ha-replication.json").toFile());
        assertThat(json.path("paths").path("manager").path("rates_per_s")).hasSize(2);
        assertThat(json.path("paths").path("transport").path("median_latency_us").path("p99").asDouble()).isPositive();
        assertThat(Files.readString(report.resolve("ha-latency-manager.csv"))).startsWith("percentile,micros\n50,");
        assertThat(Files.readString(report.resolve("ha-latency.svg"))).startsWith("<svg").contains("p99.9", "max",
            "manager path", "transport path");
    }
}
