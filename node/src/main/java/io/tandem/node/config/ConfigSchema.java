package io.tandem.node.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one table of every configuration key Tandem knows: its type, default, allowed range or values and a one-line
 * description. Defaults live here and nowhere else; {@link TandemConfig#defaults()}, validation, {@link
 * TandemConfig#dump()} and the annotated example ({@link TandemConfig#example()}) are all derived from it.
 * <p>
 * Key names and defaults follow Suricata's {@code suricata.yaml} ({@code flow}, {@code flow-timeouts}, {@code stream},
 * {@code defrag}, {@code host-os-policy}, {@code vlan}); {@code stream.reassembly.max-queued-bytes},
 * {@code max-queued-segments} and {@code max-overlaps} are Tandem's per-session bounds. The {@code ha} section takes
 * Snort 2.9.5 Stream5 HA option names ({@code min-session-lifetime}, {@code min-sync-interval},
 * {@code startup-input-file}, {@code runtime-output-file}, {@code use-side-channel}), Tandem's cluster identity and
 * the Aeron side channel's settings.
 */
public final class ConfigSchema
{
    /** What kind of value a key holds, and so which {@link TandemConfig} accessor reads it. */
    public enum Type
    {
        /** yes/no, true/false, on/off, 1/0: read with {@link TandemConfig#bool(String)}. */
        BOOL,
        /** Bytes, written like 64mb, 2kb, 1024: read with {@link TandemConfig#size(String)}. */
        SIZE,
        /** Whole seconds: read with {@link TandemConfig#seconds(String)}. */
        SECONDS,
        /** A whole number: read with {@link TandemConfig#integer(String)}. */
        INTEGER,
        /** One of a fixed set of words: read with {@link TandemConfig#string(String)}. */
        CHOICE,
        /** A list of IPv4/IPv6 addresses or CIDR blocks: read with {@link TandemConfig#list(String)}. */
        ADDRESS_LIST,
        /** A file path, empty for none: read with {@link TandemConfig#path(String)}. */
        PATH,
        /** A UDP endpoint, host:port ([v6]:port), empty for none: read with {@link TandemConfig#endpoint(String)}. */
        ENDPOINT,
        /** A list of UDP endpoints, host:port: read with {@link TandemConfig#endpoints(String)}. */
        ENDPOINT_LIST
    }

    /** Values of {@code ha.channel}: how nodes reach each other on the side channel. */
    public static final List<String> HA_CHANNELS = List.of("unicast", "multicast", "mdc", "ipc");

    /** Exception policy values, as Suricata's {@code *-policy} keys take them. */
    public static final List<String> EXCEPTION_POLICIES =
        List.of("ignore", "drop-packet", "drop-flow", "pass-packet", "pass-flow", "bypass", "reject", "auto");

    private static final long UNBOUNDED = Long.MAX_VALUE;
    private static final long MAX_INT = Integer.MAX_VALUE;
    private static final long MAX_U32 = 0xFFFF_FFFFL;
    private static final long MAX_U16 = 0xFFFF;
    private static final long DAY_SECONDS = 86_400;

    private static final Map<String, Section> SECTIONS = new LinkedHashMap<>();
    private static final Map<String, Key> KEYS = new LinkedHashMap<>();

    /** One known key. */
    public static final class Key
    {
        private final String path;
        private final Type type;
        private final String defaultText;
        private final long min;
        private final long max;
        private final List<String> choices;
        private final String description;

        Key(
            final String path,
            final Type type,
            final String defaultText,
            final long min,
            final long max,
            final List<String> choices,
            final String description)
        {
            this.path = path;
            this.type = type;
            this.defaultText = defaultText;
            this.min = min;
            this.max = max;
            this.choices = List.copyOf(choices);
            this.description = description;
        }

        /**
         * Full dotted path, e.g. {@code stream.reassembly.depth}.
         *
         * @return the path.
         */
        public String path()
        {
            return path;
        }

        /**
         * Last part of the path, e.g. {@code depth}.
         *
         * @return the name.
         */
        public String name()
        {
            return path.substring(path.lastIndexOf('.') + 1);
        }

        /**
         * Kind of value.
         *
         * @return the type.
         */
        public Type type()
        {
            return type;
        }

        /**
         * The default as YAML text, parsed like any configured value.
         *
         * @return the default text, e.g. {@code 1mb}, {@code yes}, {@code []}.
         */
        public String defaultText()
        {
            return defaultText;
        }

        /**
         * Smallest allowed value for sizes, seconds and integers.
         *
         * @return the inclusive minimum.
         */
        public long min()
        {
            return min;
        }

        /**
         * Largest allowed value for sizes, seconds and integers.
         *
         * @return the inclusive maximum.
         */
        public long max()
        {
            return max;
        }

        /**
         * Allowed words for a {@link Type#CHOICE} key, empty otherwise.
         *
         * @return the choices in documentation order.
         */
        public List<String> choices()
        {
            return choices;
        }

        /**
         * One line saying what the key does.
         *
         * @return the description.
         */
        public String description()
        {
            return description;
        }

        /**
         * What values are allowed, in words, for error messages and the example file.
         *
         * @return e.g. "a size from 1 to 65535 bytes", "one of inline, oob, gap, drop".
         */
        public String allowed()
        {
            return switch (type)
            {
                case BOOL -> "yes or no";
                case SIZE -> "a size" + range(ConfigValues.formatSize(min), ConfigValues.formatSize(max), " bytes");
                case SECONDS -> "a whole number of seconds" + range(Long.toString(min), Long.toString(max), "");
                case INTEGER -> "a whole number" + range(Long.toString(min), Long.toString(max), "");
                case CHOICE -> "one of " + String.join(", ", choices);
                case ADDRESS_LIST -> "a list of IPv4/IPv6 addresses or CIDR blocks";
                case PATH -> "a file path, or \"\" for none";
                case ENDPOINT -> "host:port (a name, an IPv4 address or a [bracketed] IPv6 address; port 1 to " +
                    "65535), or \"\" for none";
                case ENDPOINT_LIST -> "a list of host:port endpoints";
            };
        }

        private String range(final String minText, final String maxText, final String unit)
        {
            if (max == UNBOUNDED)
            {
                return min == 0 ? "" : " of at least " + minText + (min == 1 ? unit.replace("bytes", "byte") : unit);
            }
            return " from " + minText + " to " + maxText + unit;
        }
    }

    /** One known section: a mapping whose children are keys and further sections. */
    public static final class Section
    {
        private final String path;
        private final String description;
        private final List<String> children = new ArrayList<>();

        Section(final String path, final String description)
        {
            this.path = path;
            this.description = description;
        }

        /**
         * Full dotted path; the root is the empty string.
         *
         * @return the path.
         */
        public String path()
        {
            return path;
        }

        /**
         * One line saying what the section configures.
         *
         * @return the description.
         */
        public String description()
        {
            return description;
        }

        /**
         * Names of the keys and sections directly under this one, in declaration order.
         *
         * @return the child names.
         */
        public List<String> children()
        {
            return Collections.unmodifiableList(children);
        }
    }

    static
    {
        section("", "Tandem configuration");

        section("threading", "Worker threads.");
        integer("threading.workers", "1", 1, 1024, "Worker threads; packets go to them by a hash of their IP address " +
            "pair, and memcaps and table sizes are shared out among them.");

        section("flow", "Flow table (Suricata's flow section).");
        size("flow.memcap", "128mb", 1, UNBOUNDED, "Memory the flow table may use; beyond it the engine prunes.");
        integer("flow.hash-size", "65536", 1, MAX_INT, "Number of rows in the flow hash table.");
        integer("flow.prealloc", "10000", 0, MAX_INT, "Flows allocated at start.");
        integer("flow.emergency-recovery", "30", 1, 100,
            "Percent of preallocated flows that must be free again to leave emergency mode.");
        integer("flow.prune-flows", "5", 0, MAX_INT, "Flows pruned per new flow while in emergency mode.");

        section("flow-timeouts", "Flow timeouts in whole seconds, per protocol (Suricata's flow-timeouts).");
        timeouts("default", true, new long[]{30, 300, 0, 100, 10, 100, 0, 50});
        timeouts("tcp", true, new long[]{60, 600, 60, 100, 5, 100, 10, 50});
        timeouts("udp", false, new long[]{30, 300, 0, 100, 10, 100, 0, 50});
        timeouts("icmp", false, new long[]{30, 300, 0, 100, 10, 100, 0, 50});

        section("stream", "TCP stream engine (Suricata's stream section).");
        size("stream.memcap", "64mb", 0, UNBOUNDED, "Memory for TCP sessions; 0 means no limit.");
        choice("stream.memcap-policy", "ignore", EXCEPTION_POLICIES, "What to do when stream.memcap is hit.");
        bool("stream.checksum-validation", "yes", "Reject packets with a bad TCP checksum.");
        integer("stream.prealloc-sessions", "2048", 0, MAX_INT, "Sessions preallocated per worker thread.");
        bool("stream.midstream", "no", "Pick up sessions whose 3-way handshake was not seen.");
        choice("stream.midstream-policy", "ignore", EXCEPTION_POLICIES,
            "What to do with a midstream packet when midstream pickup is disabled.");
        bool("stream.async-oneside", "no", "Track sessions seen in one direction only.");
        choice("stream.inline", "auto", List.of("no", "yes", "auto"),
            "Inline (IPS) reassembly of unacknowledged data; auto follows the engine mode.");
        bool("stream.drop-invalid", "yes", "In inline mode, drop packets the stream engine finds invalid.");
        integer("stream.max-syn-queued", "10", 0, 255, "Distinct SYNs remembered per session before the handshake.");
        integer("stream.max-synack-queued", "5", 0, 255, "Distinct SYN/ACKs remembered per session.");
        bool("stream.bypass", "no", "Bypass a session once its reassembly depth is reached.");
        bool("stream.liberal-timestamps", "yes", "Accept TCP timestamps more liberally than the host OS would.");

        section("stream.reassembly", "TCP segment reassembly (Suricata's stream.reassembly section).");
        size("stream.reassembly.memcap", "256mb", 0, UNBOUNDED, "Memory for queued segments; 0 means no limit.");
        choice("stream.reassembly.memcap-policy", "ignore", EXCEPTION_POLICIES,
            "What to do when stream.reassembly.memcap is hit.");
        size("stream.reassembly.depth", "1mb", 0, MAX_U32, "Bytes reassembled per direction; 0 means no limit.");
        size("stream.reassembly.toserver-chunk-size", "2560", 1, MAX_U16,
            "Bytes of client data gathered before it is handed on.");
        size("stream.reassembly.toclient-chunk-size", "2560", 1, MAX_U16,
            "Bytes of server data gathered before it is handed on.");
        bool("stream.reassembly.randomize-chunk-size", "yes", "Vary chunk sizes so chunk edges are not predictable.");
        integer("stream.reassembly.randomize-chunk-range", "10", 0, 99, "Percent by which chunk sizes vary.");
        bool("stream.reassembly.raw", "yes", "Keep raw reassembled data for stream inspection.");
        integer("stream.reassembly.segment-prealloc", "2048", 0, MAX_INT, "Segments preallocated per worker thread.");
        bool("stream.reassembly.check-overlap-different-data", "no",
            "Compare overlapping data and raise an event when it differs.");
        size("stream.reassembly.max-queued-bytes", "1mb", 0, UNBOUNDED,
            "Tandem: bytes queued unacknowledged per session direction (Snort's max_queued_bytes); 0 = no limit.");
        integer("stream.reassembly.max-queued-segments", "2621", 0, MAX_INT,
            "Tandem: segments queued per session direction (Snort's max_queued_segs); 0 = no limit.");
        integer("stream.reassembly.max-overlaps", "1024", 0, MAX_INT,
            "Tandem: overlapping segments accepted per session before it is flagged; 0 = no limit.");

        section("stream.reassembly.urgent", "TCP urgent data handling (Suricata's stream.reassembly.urgent).");
        choice("stream.reassembly.urgent.policy", "inline", List.of("inline", "oob", "gap", "drop"),
            "Urgent data: keep in the stream, take out of band, treat as a gap, or drop the packet.");
        choice("stream.reassembly.urgent.oob-limit-policy", "drop", List.of("inline", "gap", "drop"),
            "With policy oob, what to do when out-of-band data exceeds what can be tracked.");

        section("defrag", "IP fragment reassembly (Suricata's defrag section).");
        size("defrag.memcap", "32mb", 1, UNBOUNDED, "Memory for fragment trackers and fragments.");
        integer("defrag.hash-size", "65536", 1, MAX_INT, "Number of rows in the tracker hash table.");
        integer("defrag.trackers", "65535", 1, MAX_INT, "Most datagrams reassembled at once.");
        integer("defrag.max-frags", "65535", 1, MAX_INT, "Most fragments held at once.");
        bool("defrag.prealloc", "yes", "Allocate trackers at start.");
        seconds("defrag.timeout", "60", 1, DAY_SECONDS, "Seconds an incomplete datagram is kept.");

        section("host-os-policy",
            "Target OS per destination address, for overlap handling; longest prefix wins, default bsd.");
        for (final String os : List.of("windows", "bsd", "bsd-right", "old-linux", "linux", "old-solaris", "solaris",
            "hpux10", "hpux11", "irix", "macos", "vista", "windows2k3"))
        {
            addresses("host-os-policy." + os, "Destinations that reassemble like " + os + ".");
        }

        section("vlan", "VLAN handling.");
        bool("vlan.use-for-tracking", "yes", "Include VLAN ids in the flow key.");

        section("ha", "High availability: session replication to peers (Snort Stream5 HA option names).");
        bool("ha.enabled", "no", "Replicate session state to peers and accept theirs.");
        integer("ha.node-id", "1", 1, MAX_U16, "This node's id, unique within the cluster.");
        integer("ha.cluster-id", "0", 0, MAX_INT, "Cluster id; messages from another cluster are rejected.");
        integer("ha.min-session-lifetime", "1000", 0, MAX_U16,
            "Milliseconds a session must exist before its first update; 0 means no limit.");
        integer("ha.min-sync-interval", "1000", 0, MAX_U16,
            "Least milliseconds between two updates of a session; 0 means no limit.");
        path("ha.startup-input-file", "\"\"", "HA file read at start to prime the session caches (standby).");
        path("ha.runtime-output-file", "\"\"", "HA file every generated HA message is appended to.");
        size("ha.runtime-output-max-size", "64mb", 1024, 1024L * 1024 * 1024,
            "Size at which the runtime output file is rotated to NAME.1, NAME.2, ...");
        bool("ha.use-side-channel", "no",
            "Send and receive HA messages over the Aeron side channel (tandem run); needs ha.enabled.");
        choice("ha.channel", "unicast", HA_CHANNELS,
            "Side channel: UDP unicast to the one peer, UDP multicast, multi-destination-cast (UDP to every peer), " +
            "or IPC through a media driver the nodes share (ha.aeron.dir).");
        endpoint("ha.local-endpoint", "0.0.0.0:7001", "Where this node receives peers' messages (unicast, mdc).");
        endpoints("ha.peers", "Peers' local endpoints this node sends to: exactly one for unicast, any for mdc.");
        endpoint("ha.multicast-endpoint", "\"\"", "Multicast group and port (multicast), e.g. 224.0.1.1:40456.");
        integer("ha.stream-id", "7001", 1, MAX_INT, "Aeron stream id of HA messages; the same on every node.");
        path("ha.auth-key-file", "\"\"",
            "File holding the cluster key (at least 32 bytes; a trailing newline is ignored): every message carries " +
            "an HMAC-SHA256 with it, and unauthenticated ones are dropped. Empty: unauthenticated (warned at start).");
        integer("ha.heartbeat-interval", "200", 1, 60_000, "Milliseconds between heartbeats to peers.");
        integer("ha.peer-timeout", "2000", 1, 3_600_000,
            "Milliseconds without a message after which a peer counts as down.");
        integer("ha.resync-timeout", "10000", 1, 3_600_000,
            "Milliseconds to wait for a peer's resync, and for the peers at start before this node is ready anyway.");

        section("ha.aeron", "The side channel's Aeron media driver.");
        path("ha.aeron.dir", "\"\"",
            "Directory of an external media driver to use; empty starts one embedded in the node.");
        path("ha.aeron.data-dir", "\"\"",
            "Where the embedded driver puts its directory (aeron-node-<node-id>); empty: /dev/shm/tandem " +
            "(the temp dir without /dev/shm).");
        size("ha.aeron.term-length", "256kb", 64 * 1024, 1024L * 1024 * 1024,
            "Term length of the HA publication, a power of two; 256kb keeps a node near 14 MB of shared memory.");
        size("ha.aeron.mtu", "0", 0, 65504,
            "MTU of the HA publication's frames, the most bytes one envelope (and UDP datagram) carries; 0 keeps " +
            "Aeron's 1408, which fits a 1500-byte Ethernet MTU; 8kb suits 9000-byte jumbo frames.");
    }

    private ConfigSchema()
    {
    }

    private static void timeouts(final String protocol, final boolean hasClosed, final long[] defaults)
    {
        final String base = "flow-timeouts." + protocol;
        section(base, "Timeouts for " +
            ("default".equals(protocol) ? "flows of other protocols." : protocol.toUpperCase(Locale.ROOT) + " flows."));
        final String[] names = {"new", "established", "closed", "bypassed", "emergency-new", "emergency-established",
            "emergency-closed", "emergency-bypassed"};
        final String[] what = {"new (not yet established)", "established", "closed", "bypassed"};
        for (int i = 0; i < names.length; i++)
        {
            if (!hasClosed && names[i].endsWith("closed"))
            {
                continue;
            }
            final String state = what[i & 3];
            final String text =
                "Seconds a flow in state " + state + " may stay idle" + (i < 4 ? "." : " in emergency mode.");
            seconds(base + "." + names[i], Long.toString(defaults[i]), 0, MAX_INT, text);
        }
    }

    private static void section(final String path, final String description)
    {
        SECTIONS.put(path, new Section(path, description));
        addChild(path);
    }

    private static void addChild(final String path)
    {
        if (!path.isEmpty())
        {
            final int dot = path.lastIndexOf('.');
            final String parent = dot < 0 ? "" : path.substring(0, dot);
            SECTIONS.get(parent).children.add(path.substring(dot + 1));
        }
    }

    private static void key(
        final String path,
        final Type type,
        final String defaultText,
        final long min,
        final long max,
        final List<String> choices,
        final String description)
    {
        KEYS.put(path, new Key(path, type, defaultText, min, max, choices, description));
        addChild(path);
    }

    private static void bool(final String path, final String defaultText, final String description)
    {
        key(path, Type.BOOL, defaultText, 0, 1, List.of(), description);
    }

    private static void size(
        final String path, final String defaultText, final long min, final long max, final String description)
    {
        key(path, Type.SIZE, defaultText, min, max, List.of(), description);
    }

    private static void seconds(
        final String path, final String defaultText, final long min, final long max, final String description)
    {
        key(path, Type.SECONDS, defaultText, min, max, List.of(), description);
    }

    private static void integer(
        final String path, final String defaultText, final long min, final long max, final String description)
    {
        key(path, Type.INTEGER, defaultText, min, max, List.of(), description);
    }

    private static void choice(
        final String path, final String defaultText, final List<String> choices, final String description)
    {
        key(path, Type.CHOICE, defaultText, 0, 0, choices, description);
    }

    private static void path(final String path, final String defaultText, final String description)
    {
        key(path, Type.PATH, defaultText, 0, 0, List.of(), description);
    }

    private static void endpoint(final String path, final String defaultText, final String description)
    {
        key(path, Type.ENDPOINT, defaultText, 0, 0, List.of(), description);
    }

    private static void endpoints(final String path, final String description)
    {
        key(path, Type.ENDPOINT_LIST, "[]", 0, 0, List.of(), description);
    }

    private static void addresses(final String path, final String description)
    {
        key(path, Type.ADDRESS_LIST, "[]", 0, 0, List.of(), description);
    }

    /**
     * The key at a path.
     *
     * @param path full dotted path.
     * @return the key, or null when no key has that path (it may be a section).
     */
    public static Key key(final String path)
    {
        return KEYS.get(path);
    }

    /**
     * The section at a path.
     *
     * @param path full dotted path; the empty string for the root.
     * @return the section, or null when no section has that path.
     */
    public static Section section(final String path)
    {
        return SECTIONS.get(path);
    }

    /**
     * Every key, in declaration (documentation) order.
     *
     * @return all keys.
     */
    public static Collection<Key> keys()
    {
        return Collections.unmodifiableCollection(KEYS.values());
    }
}
