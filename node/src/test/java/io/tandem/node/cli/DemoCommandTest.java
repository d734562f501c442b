package io.tandem.node.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

class DemoCommandTest
{
    private static final String[] SMALL = { "demo", "--sessions", "400", "--seed", "11" };

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();

    @Test
    void shouldTakeOverEverySessionOlderThanTheLifetimeOverAeronAndMatchOneNode()
    {
        final int exit = run("--transport", "aeron", "--speed", "4", "--dir", dir.toString());

        final String report = out.toString();
        System.out.print(report);
        assertThat(report).contains("400 agreeing with the generator's ground truth", "Aeron UDP 127.0.0.1",
            "result: OK");
        assertThat(figure("replication lag:\\s+p50 \\S+ \\S+, p99 \\S+ \\S+, max \\S+ \\S+ over ([\\d,]+) updates"))
            .isEqualTo(figure("standby sessions created from ([\\d,]+) updates"));
        assertThat(figure("sessions lost:\\s+(\\d+)")).isZero();
        final long takenOver = figure("taken over:\\s+([\\d,]+)");
        final long behindYoung = out.toString().contains("younger ones behind") ?
            figure("([\\d,]+) younger ones behind") : 0;
        assertThat(figure("taken over:\\s+[\\d,]+ \\(([\\d,]+) older")).isPositive();
        assertThat(figure("; ([\\d,]+) match one node") + behindYoung).isEqualTo(takenOver);
        assertThat(report).doesNotContain("differs");
        assertThat(figure("([\\d,]+) older than ha.min-session-lifetime")).isPositive();
        assertThat(exit).isZero();
        assertThat(Files.exists(dir.resolve("demo.pcap"))).isTrue();
        assertThat(Files.exists(dir.resolve("demo.manifest.json"))).isTrue();
    }

    @Test
    void shouldReportLossesAndFailWithReplicationOff()
    {
        final int exit = run("--transport", "memory", "--speed", "0", "--set", "ha.enabled=false");

        assertThat(figure("sessions lost:\\s+([\\d,]+)")).isPositive();
        assertThat(out.toString()).contains("result: FAILED");
        assertThat(exit).isEqualTo(1);
    }

    @Test
    void shouldFailWhenTheThrottleLeavesTheStandbyBehind()
    {
        final int exit = run("--transport", "memory", "--speed", "0", "--set", "ha.min-sync-interval=65535");

        assertThat(figure("sessions lost:\\s+([\\d,]+)")).isZero();
        assertThat(out.toString()).contains("out of sync at the kill", "result: FAILED");
        assertThat(exit).isEqualTo(1);
    }

    @Test
    void shouldRefuseAKillPointOutsideTheCapture()
    {
        assertThat(run("--kill-at", "1.5")).isEqualTo(2);
    }

    private int run(final String... extra)
    {
        final CommandLine cli = TandemCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        final String[] args = new String[SMALL.length + extra.length];
        System.arraycopy(SMALL, 0, args, 0, SMALL.length);
        System.arraycopy(extra, 0, args, SMALL.length, extra.length);
        return cli.execute(args);
    }

    private long figure(final String regex)
    {
        final Matcher m = Pattern.compile(regex).matcher(out.toString());
        assertThat(m.find()).as("%s in%n%s", regex, out).isTrue();
        return Long.parseLong(m.group(1).replace(",", ""));
    }
}
