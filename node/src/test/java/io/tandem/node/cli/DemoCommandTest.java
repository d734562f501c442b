package io.tandem.node.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

class DemoCommandTest
{
    @TempDir
    Path dir;

    @Test
    void shouldAnalyseItsGeneratedTrafficAndAgreeWithTheGroundTruthOnEveryFlow()
    {
        final StringWriter out = new StringWriter();
        final CommandLine cli = TandemCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));

        final int exit = cli.execute("demo", "--sessions", "500", "--seed", "11", "--dir", dir.toString());

        assertThat(out.toString()).contains("generated 500 sessions", "500 of 500", "result: OK");
        assertThat(exit).isZero();
        assertThat(Files.exists(dir.resolve("demo.pcap"))).isTrue();
        assertThat(Files.exists(dir.resolve("demo.manifest.json"))).isTrue();
    }
}
