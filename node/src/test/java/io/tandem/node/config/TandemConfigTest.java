package io.tandem.node.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

class TandemConfigTest
{
    private static final long MB = 1024L * 1024L;

    @TempDir
    Path tempDir;

    private static TandemConfig yaml(final String text, final String... sets)
    {
        return TandemConfig.fromYaml(text, "test.yaml", List.of(sets));
    }

    private static void assertProblem(final String text, final String message, final String... sets)
    {
        assertThatThrownBy(() -> yaml(text, sets))
            .isInstanceOf(ConfigException.class)
            .hasMessage(message);
    }

    @Test
    void shouldHaveSuricataDefaults()
    {
        final TandemConfig config = TandemConfig.defaults();
        assertThat(config.size("flow.memcap")).isEqualTo(128 * MB);
        assertThat(config.integer("flow.hash-size")).isEqualTo(65536);
        assertThat(config.integer("flow.emergency-recovery")).isEqualTo(30);
        assertThat(config.seconds("flow-timeouts.tcp.established")).isEqualTo(600);
        assertThat(config.seconds("flow-timeouts.tcp.closed")).isEqualTo(60);
        assertThat(config.seconds("flow-timeouts.udp.emergency-bypassed")).isEqualTo(50);
        assertThat(config.size("stream.memcap")).isEqualTo(64 * MB);
        assertThat(config.bool("stream.checksum-validation")).isTrue();
        assertThat(config.bool("stream.midstream")).isFalse();
        assertThat(config.string("stream.inline")).isEqualTo("auto");
        assertThat(config.string("stream.memcap-policy")).isEqualTo("ignore");
        assertThat(config.integer("stream.max-synack-queued")).isEqualTo(5);
        assertThat(config.size("stream.reassembly.memcap")).isEqualTo(256 * MB);
        assertThat(config.size("stream.reassembly.depth")).isEqualTo(MB);
        assertThat(config.size("stream.reassembly.toserver-chunk-size")).isEqualTo(2560);
        assertThat(config.string("stream.reassembly.urgent.policy")).isEqualTo("inline");
        assertThat(config.size("defrag.memcap")).isEqualTo(32 * MB);
        assertThat(config.seconds("defrag.timeout")).isEqualTo(60);
        assertThat(config.list("host-os-policy.linux")).isEmpty();
        assertThat(config.bool("vlan.use-for-tracking")).isTrue();
    }

    @Test
    void shouldLoadAFileAndKeepDefaultsForWhatItOmits() throws Exception
    {
        final Path file = tempDir.resolve("tandem.yaml");
        Files.writeString(file, """
            stream:
              midstream: true
              inline: yes
              reassembly:
                depth: 2mb
                toserver-chunk-size: 4kb
            flow-timeouts:
              tcp:
                established: 3600
            host-os-policy:
              linux: [10.0.0.0/8, "2001:db8::/32"]
              windows:
                - 192.168.0.1
            """);
        final TandemConfig config = TandemConfig.load(file, List.of());
        assertThat(config.bool("stream.midstream")).isTrue();
        assertThat(config.string("stream.inline")).isEqualTo("yes");
        assertThat(config.size("stream.reassembly.depth")).isEqualTo(2 * MB);
        assertThat(config.size("stream.reassembly.toserver-chunk-size")).isEqualTo(4096);
        assertThat(config.seconds("flow-timeouts.tcp.established")).isEqualTo(3600);
        assertThat(config.list("host-os-policy.linux")).containsExactly("10.0.0.0/8", "2001:db8::/32");
        assertThat(config.list("host-os-policy.windows")).containsExactly("192.168.0.1");
        assertThat(config.size("stream.memcap")).isEqualTo(64 * MB);
        assertThat(config).isNotEqualTo(TandemConfig.defaults());
    }

    @Test
    void shouldReadStreamInlineBooleansAsYesOrNo()
    {
        assertThat(yaml("stream: {inline: no}").string("stream.inline")).isEqualTo("no");
        assertThat(yaml("stream: {inline: false}").string("stream.inline")).isEqualTo("no");
        assertThat(yaml("stream: {inline: true}").string("stream.inline")).isEqualTo("yes");
        assertThat(yaml("stream: {inline: auto}").string("stream.inline")).isEqualTo("auto");
    }

    @Test
    void shouldTreatAnEmptyFileOrNoFileAsDefaults()
    {
        assertThat(yaml("")).isEqualTo(TandemConfig.defaults());
        assertThat(yaml("# only a comment\n")).isEqualTo(TandemConfig.defaults());
        assertThat(yaml("stream:\nflow:\n")).isEqualTo(TandemConfig.defaults());
        assertThat(TandemConfig.load(null, List.of())).isEqualTo(TandemConfig.defaults());
    }

    @Test
    void shouldRejectUnknownTopLevelKeyNamingWhatIsAllowed()
    {
        assertProblem("strem:\n  midstream: true\n",
            "strem: unknown key (allowed at top level: threading, flow, flow-timeouts, stream, defrag, " +
                "host-os-policy, vlan, ha)");
    }

    @Test
    void shouldRejectUnknownKeyAtEachDepth()
    {
        assertProblem("stream: {midstrem: true}",
            "stream.midstrem: unknown key (allowed under stream: memcap, memcap-policy, checksum-validation, " +
            "prealloc-sessions, midstream, midstream-policy, async-oneside, inline, drop-invalid, max-syn-queued, " +
            "max-synack-queued, bypass, liberal-timestamps, reassembly)");
        assertProblem("stream: {reassembly: {depht: 2mb}}",
            "stream.reassembly.depht: unknown key (allowed under stream.reassembly: memcap, memcap-policy, depth, " +
            "toserver-chunk-size, toclient-chunk-size, randomize-chunk-size, randomize-chunk-range, raw, " +
            "segment-prealloc, check-overlap-different-data, max-queued-bytes, max-queued-segments, max-overlaps, " +
            "urgent)");
        assertProblem("stream: {reassembly: {urgent: {polcy: oob}}}",
            "stream.reassembly.urgent.polcy: unknown key (allowed under stream.reassembly.urgent: policy, " +
            "oob-limit-policy)");
        assertProblem("flow-timeouts: {udp: {closed: 5}}",
            "flow-timeouts.udp.closed: unknown key (allowed under flow-timeouts.udp: new, established, bypassed, " +
            "emergency-new, emergency-established, emergency-bypassed)");
        assertProblem("flow-timeouts: {sctp: {new: 5}}",
            "flow-timeouts.sctp: unknown key (allowed under flow-timeouts: default, tcp, udp, icmp)");
        assertProblem("ha: {min-sync-intervals: 5}",
            "ha.min-sync-intervals: unknown key (allowed under ha: enabled, node-id, cluster-id, " +
            "min-session-lifetime, min-sync-interval, startup-input-file, runtime-output-file, " +
            "runtime-output-max-size, use-side-channel, channel, local-endpoint, peers, multicast-endpoint, " +
            "stream-id, auth-key-file, heartbeat-interval, peer-timeout, resync-timeout, aeron)");
        assertThat(yaml("ha: {}")).isEqualTo(TandemConfig.defaults());
    }

    @Test
    void shouldRejectBadValuesNamingKeyValueAndWhatIsAllowed()
    {
        assertProblem("flow: {memcap: 64qb}",
            "flow.memcap: '64qb' is not a size (use a number with an optional unit: b, kb, mb, gb, e.g. 64mb)");
        assertProblem("stream: {inline: maybe}", "stream.inline: 'maybe' is not one of no, yes, auto");
        assertProblem("stream: {memcap-policy: drop}",
            "stream.memcap-policy: 'drop' is not one of ignore, drop-packet, drop-flow, pass-packet, pass-flow, " +
            "bypass, reject, auto");
        assertProblem("stream: {reassembly: {urgent: {policy: OOB}}}",
            "stream.reassembly.urgent.policy: 'OOB' is not one of inline, oob, gap, drop");
        assertProblem("stream: {midstream: maybe}",
            "stream.midstream: 'maybe' is not a boolean (use yes/no, true/false, on/off or 1/0)");
        assertProblem("stream: {max-syn-queued: 256}",
            "stream.max-syn-queued: '256' is out of range (a whole number from 0 to 255)");
        assertProblem("stream: {reassembly: {toserver-chunk-size: 64kb}}",
            "stream.reassembly.toserver-chunk-size: '64kb' is out of range (a size from 1 to 65535 bytes)");
        assertProblem("stream: {reassembly: {randomize-chunk-range: 100}}",
            "stream.reassembly.randomize-chunk-range: '100' is out of range (a whole number from 0 to 99)");
        assertProblem("flow: {memcap: 0}", "flow.memcap: '0' is out of range (a size of at least 1 byte)");
        assertProblem("flow-timeouts: {tcp: {new: 30s}}",
            "flow-timeouts.tcp.new: '30s' is not a whole number of seconds from 0 to 2147483647");
        assertProblem("flow: {hash-size: 1.5}", "flow.hash-size: '1.5' is not a whole number from 1 to 2147483647");
        assertProblem("defrag: {timeout: 0}",
            "defrag.timeout: '0' is out of range (a whole number of seconds from 1 to 86400)");
    }

    @Test
    void shouldRejectSectionsAndScalarsInEachOthersPlace()
    {
        assertProblem("stream: {memcap: {a: 1}}", "stream.memcap: expected a size, got a section");
        assertProblem("stream: {memcap: [1, 2]}", "stream.memcap: expected a size, got a list");
        assertProblem("stream: {memcap: }", "stream.memcap: no value (expected a size)");
        assertProblem("stream: 5", "stream: expected a section (a mapping of keys), got the value '5'");
        assertProblem("stream: {reassembly: [1]}",
            "stream.reassembly: expected a section (a mapping of keys), got a list");
        assertProblem("- a\n- b\n", "test.yaml: expected a mapping of sections at top level, got a list");
    }

    @Test
    void shouldValidateHostAddressesNamingKeyAndEntry()
    {
        assertProblem("host-os-policy: {linux: [10.0.0.0/8, 10.0.0.0/33]}",
            "host-os-policy.linux: '10.0.0.0/33' is not an IP address or CIDR block " +
            "(prefix length 33 is over 32 for IPv4)");
        assertProblem("host-os-policy: {bsd: [300.1.1.1]}",
            "host-os-policy.bsd: '300.1.1.1' is not an IP address or CIDR block " +
            "('300.1.1.1' is not an IPv4 address (octet 300))");
        assertProblem("host-os-policy: {bsd: [[1.1.1.1]]}",
            "host-os-policy.bsd: entry a list is not an address (expected a list of IPv4/IPv6 addresses or CIDR " +
            "blocks)");
        assertThat(yaml("host-os-policy: {vista: 10.0.0.1}").list("host-os-policy.vista")).containsExactly("10.0.0.1");
        assertThat(yaml("host-os-policy: {vista: }").list("host-os-policy.vista")).isEmpty();
    }

    @Test
    void shouldReportEveryProblemAtOnce()
    {
        assertThatThrownBy(() -> yaml("stream: {midstream: maybe, memcap: 1qb}\nvlan: {track: yes}\n"))
            .isInstanceOfSatisfying(ConfigException.class, ex -> assertThat(ex.problems()).containsExactly(
                "stream.midstream: 'maybe' is not a boolean (use yes/no, true/false, on/off or 1/0)",
                "stream.memcap: '1qb' is not a size (use a number with an optional unit: b, kb, mb, gb, e.g. 64mb)",
                "vlan.track: unknown key (allowed under vlan: use-for-tracking)"));
    }

    @Test
    void shouldRejectBadYamlNamingTheSource()
    {
        assertThatThrownBy(() -> yaml("stream: {midstream: [\n"))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("test.yaml: not valid YAML: ");
        assertThatThrownBy(() -> yaml("stream:\n  midstream: yes\n  midstream: no\n"))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("test.yaml: not valid YAML: ")
            .hasMessageContaining("midstream");
        assertThatThrownBy(() -> TandemConfig.load(tempDir.resolve("missing.yaml"), List.of()))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("cannot read configuration file " + tempDir.resolve("missing.yaml"));
    }

    @Test
    void shouldLetSetOverrideTheFile() throws Exception
    {
        final Path file = tempDir.resolve("tandem.yaml");
        Files.writeString(file, "stream:\n  midstream: false\n  reassembly:\n    depth: 1mb\n");
        final TandemConfig config = TandemConfig.load(
            file, List.of("stream.midstream=true", "stream.reassembly.depth=2mb"));
        assertThat(config.bool("stream.midstream")).isTrue();
        assertThat(config.size("stream.reassembly.depth")).isEqualTo(2 * MB);
    }

    @Test
    void shouldLetSetCreateKeysAbsentFromTheFile()
    {
        final TandemConfig config = yaml("flow: {memcap: 256mb}",
            "stream.reassembly.urgent.policy=oob", "defrag.timeout=30", "vlan.use-for-tracking=off");
        assertThat(config.size("flow.memcap")).isEqualTo(256 * MB);
        assertThat(config.string("stream.reassembly.urgent.policy")).isEqualTo("oob");
        assertThat(config.seconds("defrag.timeout")).isEqualTo(30);
        assertThat(config.bool("vlan.use-for-tracking")).isFalse();
    }

    @Test
    void shouldParseSetValuesAsYaml()
    {
        final TandemConfig config = TandemConfig.load(null, List.of(
            "host-os-policy.old-linux=[2.2.2.2]",
            "host-os-policy.linux=[10.0.0.0/8, \"2001:db8::/32\"]",
            "stream.inline=no"));
        assertThat(config.list("host-os-policy.old-linux")).containsExactly("2.2.2.2");
        assertThat(config.list("host-os-policy.linux")).containsExactly("10.0.0.0/8", "2001:db8::/32");
        assertThat(config.string("stream.inline")).isEqualTo("no");
    }

    @Test
    void shouldLetTheLastSetWin()
    {
        final TandemConfig config = TandemConfig.load(null, List.of("stream.memcap=1mb", "stream.memcap=2mb"));
        assertThat(config.size("stream.memcap")).isEqualTo(2 * MB);
    }

    @Test
    void shouldRejectMalformedSetNamingTheArgument()
    {
        assertProblem("", "--set 'stream.midstream': no '=' (expected key=value, e.g. --set stream.midstream=true)",
            "stream.midstream");
        assertProblem("", "--set '=true': empty key (expected key=value, e.g. --set stream.midstream=true)", "=true");
        assertProblem("", "--set 'stream..midstream=1': key 'stream..midstream' has an empty part between dots",
            "stream..midstream=1");
        assertProblem("stream: {memcap: 1mb}", "--set 'stream.memcap.x=1': stream.memcap is the value '1mb', " +
            "not a section", "stream.memcap.x=1");
        assertProblem("", "stream.reassembly.depht: unknown key (allowed under stream.reassembly: memcap, " +
            "memcap-policy, depth, toserver-chunk-size, toclient-chunk-size, randomize-chunk-size, " +
            "randomize-chunk-range, raw, segment-prealloc, check-overlap-different-data, max-queued-bytes, " +
            "max-queued-segments, max-overlaps, urgent)", "stream.reassembly.depht=2mb");
        assertProblem("", "stream.memcap: no value (expected a size)", "stream.memcap=");
        assertThatThrownBy(() -> yaml("", "stream.memcap=[1,"))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("--set 'stream.memcap=[1,': value is not valid YAML");
    }

    @Test
    void shouldRejectAccessorOfTheWrongTypeOrUnknownKey()
    {
        final TandemConfig config = TandemConfig.defaults();
        assertThatThrownBy(() -> config.bool("stream.memcap"))
            .isInstanceOf(ConfigException.class).hasMessage("stream.memcap: is a SIZE key, not BOOL");
        assertThatThrownBy(() -> config.size("stream.nothing"))
            .isInstanceOf(ConfigException.class).hasMessage("stream.nothing: unknown key");
        assertThatThrownBy(() -> config.integer("stream.reassembly"))
            .isInstanceOf(ConfigException.class).hasMessage("stream.reassembly: unknown key");
    }

    @Test
    void shouldDumpEveryKeyAsYamlThatLoadsBackEqual()
    {
        final TandemConfig config = TandemConfig.load(null, List.of(
            "stream.inline=no", "stream.reassembly.depth=1536", "flow.memcap=3gb",
            "host-os-policy.linux=[10.0.0.0/8, \"2001:db8::/32\"]", "stream.midstream=yes"));
        final String dump = config.dump();
        assertThat(dump)
            .contains("flow:\n  memcap: 3gb\n")
            .contains("  midstream: yes\n")
            .contains("  inline: \"no\"\n")
            .contains("  reassembly:\n    memcap: 256mb\n    memcap-policy: ignore\n    depth: 1536\n")
            .contains("    urgent:\n      policy: inline\n")
            .contains("  linux: [\"10.0.0.0/8\", \"2001:db8::/32\"]\n")
            .contains("ha:\n  enabled: no\n");
        for (final ConfigSchema.Key key : ConfigSchema.keys())
        {
            assertThat(dump).contains(key.name() + ": ");
        }
        assertThat(yaml(dump)).isEqualTo(config);
        assertThat(yaml(TandemConfig.defaults().dump())).isEqualTo(TandemConfig.defaults());
    }

    @Test
    void shouldShipAnExampleThatListsEveryKeyAtItsDefault() throws Exception
    {
        final Path example = findExample();
        final String text = Files.readString(example);
        assertThat(TandemConfig.load(example, List.of())).isEqualTo(TandemConfig.defaults());
        if (!text.equals(TandemConfig.example()))
        {
            final Path regenerated = Path.of("target", "tandem.yaml.example").toAbsolutePath();
            Files.createDirectories(regenerated.getParent());
            Files.writeString(regenerated, TandemConfig.example());
            fail("tandem.yaml.example is out of date with ConfigSchema; copy " + regenerated + " over " + example);
        }

        final JsonNode tree = new YAMLMapper().readTree(text);
        for (final ConfigSchema.Key key : ConfigSchema.keys())
        {
            JsonNode node = tree;
            for (final String part : key.path().split("\\."))
            {
                node = node.path(part);
            }
            assertThat(node.isMissingNode()).as(key.path() + " listed in the example").isFalse();
        }
    }

    @Test
    void shouldHaveEveryDefaultWithinItsOwnRange()
    {
        for (final ConfigSchema.Key key : ConfigSchema.keys())
        {
            if (key.type() == ConfigSchema.Type.SIZE)
            {
                assertThat(TandemConfig.defaults().size(key.path())).isBetween(key.min(), key.max());
            }
            if (key.type() == ConfigSchema.Type.INTEGER)
            {
                assertThat(key.max()).as(key.path()).isLessThanOrEqualTo(Integer.MAX_VALUE);
            }
            assertThat(key.description()).as(key.path()).isNotBlank();
        }
    }

    private static Path findExample()
    {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("tandem.yaml.example")))
        {
            dir = dir.getParent();
        }
        assertThat(dir).as("tandem.yaml.example in a parent of the working directory").isNotNull();
        return dir.resolve("tandem.yaml.example");
    }
}
