package io.tandem.node.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.node.flow.FlowKey;
import io.tandem.node.ha.HaFileWriter;
import io.tandem.node.ha.SessionKeyCodec;
import io.tandem.proto.ha.v1.Control;
import io.tandem.proto.ha.v1.Hello;
import io.tandem.proto.ha.v1.SessionBatch;
import io.tandem.proto.ha.v1.SessionDelete;
import io.tandem.proto.ha.v1.SessionMessage;
import io.tandem.proto.ha.v1.SessionUpdate;
import io.tandem.transport.EnvelopeFactory;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

class HaDumpCommandTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        final CommandLine commandLine = TandemCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    private Path writeFile() throws Exception
    {
        final Path file = dir.resolve("node1.ha");
        final EnvelopeFactory factory = new EnvelopeFactory(5, 1, 77, null);
        final FlowKey key = new FlowKey().set(4, 6, 0, 0x0a00_0001L, 40000, 0, 0x0a00_0002L, 80);
        try (HaFileWriter writer = new HaFileWriter(file, 0))
        {
            writer.append(100, factory.control(Control.newBuilder()
                .setHello(Hello.newBuilder().addSupportedVersions(1).setSoftwareVersion("test")).build(), 100));
            writer.append(200, factory.sessions(SessionBatch.newBuilder().addMessages(SessionMessage.newBuilder()
                .setUpdate(SessionUpdate.newBuilder().setKey(SessionKeyCodec.encode(key)).setIpProtocol(6)
                    .setApplicationProtocol(7).setDirection(SessionKeyCodec.direction(key)))).build(), 200));
            writer.append(300, factory.sessions(SessionBatch.newBuilder().addMessages(SessionMessage.newBuilder()
                .setDelete(SessionDelete.newBuilder().setKey(SessionKeyCodec.encode(key)))).build(), 300));
        }
        return file;
    }

    @Test
    void shouldPrintEachRecordAsOneJsonLineAndASummary() throws Exception
    {
        final Path file = writeFile();

        assertThat(run("ha-dump", file.toString())).isZero();

        final List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(3);
        final JsonNode hello = JSON.readTree(lines.get(0));
        assertThat(hello.get("offset").asLong()).isEqualTo(16);
        assertThat(hello.get("timestamp_ns").asLong()).isEqualTo(100);
        assertThat(hello.at("/envelope/protocolVersion").asInt()).isEqualTo(1);
        assertThat(hello.at("/envelope/clusterId").asInt()).isEqualTo(5);
        assertThat(hello.at("/envelope/senderEpoch").asText()).isEqualTo("77");
        assertThat(hello.at("/envelope/control/hello/softwareVersion").asText()).isEqualTo("test");
        final JsonNode update = JSON.readTree(lines.get(1)).at("/envelope/sessions/messages/0/update");
        assertThat(update.at("/key/lowerPort").asInt()).isEqualTo(40000);
        assertThat(update.at("/applicationProtocol").asInt()).isEqualTo(7);
        assertThat(update.at("/direction").asText()).isEqualTo("DIRECTION_CLIENT_IS_LOWER");
        assertThat(JSON.readTree(lines.get(2)).at("/envelope/sequence").asText()).isEqualTo("3");
        assertThat(JSON.readTree(lines.get(2)).at("/envelope/sessions/messages/0/delete/key/upperPort").asInt())
            .isEqualTo(80);
        assertThat(err.toString()).contains("records read 3, corrupt skipped 0, undecodable 0, torn tail no");
    }

    @Test
    void shouldSkipCorruptRecordsReportTornTailAndStillExitZero() throws Exception
    {
        final Path file = writeFile();
        final byte[] bytes = Files.readAllBytes(file);
        final int secondRecordPayload = 16 + 16 + (bytes[16 + 3] & 0xFF) + 16 + 2;
        bytes[secondRecordPayload] ^= (byte)0xFF;
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 3));

        assertThat(run("ha-dump", file.toString())).isZero();

        assertThat(out.toString().lines().toList()).hasSize(1);
        assertThat(err.toString()).contains("records read 1, corrupt skipped 1, undecodable 0, torn tail yes");
    }

    @Test
    void shouldExitTwoForAMissingFileOrAFileThatIsNotAnHaFile() throws Exception
    {
        assertThat(run("ha-dump", dir.resolve("missing.ha").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("missing.ha: no such file");

        final Path pcap = dir.resolve("capture.pcap");
        Files.write(pcap, new byte[]{(byte)0xd4, (byte)0xc3, (byte)0xb2, (byte)0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 1, 0});
        assertThat(run("ha-dump", pcap.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("capture.pcap is not a Tandem HA file");
        assertThat(out.toString()).isEmpty();
    }
}
