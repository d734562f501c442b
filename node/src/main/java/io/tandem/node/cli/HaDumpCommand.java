package io.tandem.node.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.tandem.node.ha.HaFileReader;
import io.tandem.node.ha.NotAnHaFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code tandem ha-dump FILE}: print a HA file as JSON lines, one record each, and a summary on stderr.
 * <p>
 * Each line is {@code {"offset":N,"timestamp_ns":T,"envelope":{...}}} with the envelope in protobuf's JSON mapping,
 * or {@code "error"} instead of {@code "envelope"} when a record's CRC is good but its payload is not an envelope.
 * Exit status 0 even when corrupt records were skipped; 2 when the file does not exist or is not a HA file.
 */
@Command(
    name = "ha-dump",
    mixinStandardHelpOptions = true,
    description = "Print a HA file as JSON lines, one message per line; a summary goes to stderr.")
public final class HaDumpCommand implements Callable<Integer>
{
    /** Exit status when the file is missing or not a HA file. */
    public static final int EXIT_NOT_AN_HA_FILE = 2;

    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "HA file to print.")
    private Path file;

    @Override
    public Integer call() throws IOException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        if (!Files.isRegularFile(file))
        {
            err.println("ha-dump: " + file + ": no such file");
            return EXIT_NOT_AN_HA_FILE;
        }
        final JsonFormat.Printer printer = JsonFormat.printer().omittingInsignificantWhitespace();
        long undecodable = 0;
        try (HaFileReader reader = HaFileReader.open(file))
        {
            while (reader.next())
            {
                final ObjectNode line = JSON.createObjectNode()
                    .put("offset", reader.recordOffset())
                    .put("timestamp_ns", reader.timestampNs());
                try
                {
                    line.putRawValue("envelope", new RawValue(printer.print(reader.envelope())));
                }
                catch (final InvalidProtocolBufferException ex)
                {
                    undecodable++;
                    line.put("error", "payload of " + reader.payloadLength() + " bytes is not an envelope: " +
                        ex.getMessage());
                }
                out.println(JSON.writeValueAsString(line));
            }
            out.flush();
            err.println("ha-dump: " + file + ": records read " + reader.recordsRead() + ", corrupt skipped " +
                reader.corruptRecords() + ", undecodable " + undecodable + ", torn tail " +
                (reader.tornTail() ? "yes" : "no"));
            return 0;
        }
        catch (final NotAnHaFileException ex)
        {
            err.println("ha-dump: " + ex.getMessage());
            return EXIT_NOT_AN_HA_FILE;
        }
    }
}
