package io.tandem.node.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The validated, effective configuration: {@code tandem.yaml} (Suricata key names) with {@code --set key=value}
 * overrides applied on top, checked against {@link ConfigSchema} and filled with its defaults.
 * <p>
 * Every known key has a value; read it with the accessor for its type ({@link #bool(String)}, {@link #size(String)},
 * {@link #seconds(String)}, {@link #integer(String)}, {@link #string(String)}, {@link #list(String)},
 * {@link #path(String)}). Instances are immutable and safe to share; read them at start-up into per-component
 * contexts, not per packet.
 */
public final class TandemConfig
{
    private static final YAMLMapper YAML = YAMLMapper.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
    private static final String SET_HINT = "expected key=value, e.g. --set stream.midstream=true";

    private final Map<String, Object> values;

    private TandemConfig(final Map<String, Object> values)
    {
        this.values = values;
    }

    /**
     * The configuration with every key at its default.
     *
     * @return the default configuration.
     */
    public static TandemConfig defaults()
    {
        return Defaults.INSTANCE;
    }

    /**
     * Load a configuration file, apply overrides and validate.
     *
     * @param yamlOrNull the YAML file, or null to start from the defaults alone.
     * @param sets       {@code key=value} overrides in order (a later one wins), value parsed as YAML; may be empty.
     * @return the effective configuration.
     * @throws ConfigException naming every problem found: unreadable file, bad YAML, malformed override, unknown key,
     *                         bad value.
     */
    public static TandemConfig load(final Path yamlOrNull, final List<String> sets)
    {
        if (yamlOrNull == null)
        {
            return build(JsonNodeFactory.instance.objectNode(), sets);
        }
        final String text;
        try
        {
            text = Files.readString(yamlOrNull);
        }
        catch (final IOException ex)
        {
            throw new ConfigException("cannot read configuration file " + yamlOrNull + ": " + ex, ex);
        }
        return fromYaml(text, yamlOrNull.toString(), sets);
    }

    /**
     * Parse configuration text, apply overrides and validate.
     *
     * @param yaml   the YAML text.
     * @param source where the text came from, for a syntax error.
     * @param sets   {@code key=value} overrides in order; may be empty.
     * @return the effective configuration.
     * @throws ConfigException naming every problem found.
     */
    public static TandemConfig fromYaml(final String yaml, final String source, final List<String> sets)
    {
        final JsonNode root;
        try
        {
            root = YAML.readTree(yaml);
        }
        catch (final JacksonException ex)
        {
            throw new ConfigException(source + ": not valid YAML: " + ex.getOriginalMessage() + locationOf(ex), ex);
        }
        if (root == null || root.isMissingNode() || root.isNull())
        {
            return build(JsonNodeFactory.instance.objectNode(), sets);
        }
        if (!root.isObject())
        {
            throw new ConfigException(
                source + ": expected a mapping of sections at top level, got " + describe(root));
        }
        return build((ObjectNode)root, sets);
    }

    private static String locationOf(final JacksonException ex)
    {
        return ex.getLocation() == null ? "" :
            " (line " + ex.getLocation().getLineNr() + ", column " + ex.getLocation().getColumnNr() + ")";
    }

    private static TandemConfig build(final ObjectNode root, final List<String> sets)
    {
        final List<String> problems = new ArrayList<>();
        for (final String set : sets)
        {
            applySet(root, set, problems);
        }
        final Map<String, Object> values = new LinkedHashMap<>();
        walk(ConfigSchema.section(""), root, values, problems);
        if (!problems.isEmpty())
        {
            throw new ConfigException(problems);
        }
        return new TandemConfig(ordered(values));
    }

    private static Map<String, Object> ordered(final Map<String, Object> found)
    {
        final Map<String, Object> values = new LinkedHashMap<>();
        for (final ConfigSchema.Key key : ConfigSchema.keys())
        {
            final Object value = found.get(key.path());
            values.put(key.path(), value != null ? value : Defaults.VALUES.get(key.path()));
        }
        return values;
    }

    private static void applySet(final ObjectNode root, final String set, final List<String> problems)
    {
        final int equals = set.indexOf('=');
        if (equals < 0)
        {
            problems.add("--set '" + set + "': no '=' (" + SET_HINT + ")");
            return;
        }
        final String key = set.substring(0, equals).trim();
        if (key.isEmpty())
        {
            problems.add("--set '" + set + "': empty key (" + SET_HINT + ")");
            return;
        }
        final String[] parts = key.split("\\.", -1);
        for (final String part : parts)
        {
            if (part.isEmpty())
            {
                problems.add("--set '" + set + "': key '" + key + "' has an empty part between dots");
                return;
            }
        }

        JsonNode value;
        try
        {
            value = YAML.readTree(set.substring(equals + 1));
        }
        catch (final JacksonException ex)
        {
            problems.add("--set '" + set + "': value is not valid YAML: " + ex.getOriginalMessage());
            return;
        }
        if (value == null || value.isMissingNode())
        {
            value = NullNode.getInstance();
        }

        ObjectNode parent = root;
        for (int i = 0; i < parts.length - 1; i++)
        {
            final JsonNode child = parent.get(parts[i]);
            if (child == null || child.isNull())
            {
                parent = parent.putObject(parts[i]);
            }
            else if (child.isObject())
            {
                parent = (ObjectNode)child;
            }
            else
            {
                problems.add("--set '" + set + "': " + String.join(".", List.of(parts).subList(0, i + 1)) +
                    " is " + describe(child) + ", not a section");
                return;
            }
        }
        parent.set(parts[parts.length - 1], value);
    }

    private static void walk(
        final ConfigSchema.Section section,
        final JsonNode node,
        final Map<String, Object> values,
        final List<String> problems)
    {
        if (node == null || node.isNull())
        {
            return;
        }
        if (!node.isObject())
        {
            problems.add(section.path() + ": expected a section (a mapping of keys), got " + describe(node));
            return;
        }
        for (final Map.Entry<String, JsonNode> field : node.properties())
        {
            final String path = section.path().isEmpty() ? field.getKey() : section.path() + "." + field.getKey();
            final ConfigSchema.Key key = ConfigSchema.key(path);
            final ConfigSchema.Section child = ConfigSchema.section(path);
            if (key != null)
            {
                try
                {
                    values.put(path, parseValue(key, field.getValue()));
                }
                catch (final ConfigException ex)
                {
                    problems.addAll(ex.problems());
                }
            }
            else if (child != null)
            {
                walk(child, field.getValue(), values, problems);
            }
            else
            {
                problems.add(path + ": unknown key (" + allowedUnder(section) + ")");
            }
        }
    }

    private static String allowedUnder(final ConfigSchema.Section section)
    {
        final String names = String.join(", ", section.children());
        if (section.path().isEmpty())
        {
            return "allowed at top level: " + names;
        }
        if (section.children().isEmpty())
        {
            return "no keys are defined under " + section.path() + " yet";
        }
        return "allowed under " + section.path() + ": " + names;
    }

    private static Object parseValue(final ConfigSchema.Key key, final JsonNode node)
    {
        final String path = key.path();
        if (key.type() == ConfigSchema.Type.ADDRESS_LIST)
        {
            return parseAddresses(key, node);
        }
        if (key.type() == ConfigSchema.Type.ENDPOINT_LIST)
        {
            return parseEndpoints(key, node);
        }
        if ((key.type() == ConfigSchema.Type.PATH || key.type() == ConfigSchema.Type.ENDPOINT) && node.isNull())
        {
            return "";
        }
        if (node.isNull())
        {
            throw new ConfigException(path + ": no value (expected " + key.allowed() + ")");
        }
        if (node.isContainerNode())
        {
            throw new ConfigException(path + ": expected " + key.allowed() + ", got " + describe(node));
        }
        final String text = node.asText();
        return switch (key.type())
        {
            case BOOL -> ConfigValues.parseBool(path, text);
            case SIZE -> inRange(key, text, ConfigValues.parseSize(path, text));
            case SECONDS, INTEGER -> inRange(key, text, ConfigValues.parseWhole(path, text, key.allowed()));
            case CHOICE -> parseChoice(key, text);
            case PATH -> text;
            case ENDPOINT -> text.isBlank() ? "" : parseEndpoint(key, text.trim());
            default -> throw new IllegalStateException(key.type().name());
        };
    }

    private static long inRange(final ConfigSchema.Key key, final String text, final long value)
    {
        if (value < key.min() || value > key.max())
        {
            throw new ConfigException(key.path() + ": '" + text + "' is out of range (" + key.allowed() + ")");
        }
        return value;
    }

    private static String parseChoice(final ConfigSchema.Key key, final String text)
    {
        final String trimmed = text.trim();
        if (key.choices().contains(trimmed))
        {
            return trimmed;
        }
        final int bool = ConfigValues.boolOrMinusOne(trimmed);
        if (bool >= 0 && key.choices().contains("yes") && key.choices().contains("no"))
        {
            return bool == 1 ? "yes" : "no";
        }
        throw new ConfigException(
            key.path() + ": '" + text + "' is not one of " + String.join(", ", key.choices()));
    }

    private static List<String> parseAddresses(final ConfigSchema.Key key, final JsonNode node)
    {
        final List<String> entries = new ArrayList<>();
        if (node.isNull())
        {
            return List.of();
        }
        if (node.isObject())
        {
            throw new ConfigException(key.path() + ": expected " + key.allowed() + ", got a section");
        }
        final List<String> problems = new ArrayList<>();
        final Iterable<JsonNode> items = node.isArray() ? node : List.of(node);
        for (final JsonNode item : items)
        {
            if (item.isContainerNode() || item.isNull())
            {
                problems.add(key.path() + ": entry " + describe(item) + " is not an address (expected " +
                    key.allowed() + ")");
                continue;
            }
            final String entry = item.asText().trim();
            try
            {
                CidrBlock.parse(entry);
                entries.add(entry);
            }
            catch (final IllegalArgumentException ex)
            {
                problems.add(key.path() + ": '" + entry + "' is not an IP address or CIDR block (" +
                    ex.getMessage() + ")");
            }
        }
        if (!problems.isEmpty())
        {
            throw new ConfigException(problems);
        }
        return List.copyOf(entries);
    }

    private static String parseEndpoint(final ConfigSchema.Key key, final String text)
    {
        final int colon = text.lastIndexOf(':');
        final String host = colon < 0 ? "" : text.substring(0, colon);
        final String port = colon < 0 ? "" : text.substring(colon + 1);
        final boolean bracketed = host.startsWith("[") && host.endsWith("]") && host.length() > 2;
        if (host.isEmpty() || (host.indexOf(':') >= 0 && !bracketed) || !port.matches("[0-9]{1,5}") ||
            Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65_535)
        {
            throw new ConfigException(key.path() + ": '" + text + "' is not host:port (expected " +
                key.allowed() + ")");
        }
        return text;
    }

    private static List<String> parseEndpoints(final ConfigSchema.Key key, final JsonNode node)
    {
        if (node.isNull())
        {
            return List.of();
        }
        if (node.isObject())
        {
            throw new ConfigException(key.path() + ": expected " + key.allowed() + ", got a section");
        }
        final List<String> entries = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        final Iterable<JsonNode> items = node.isArray() ? node : List.of(node);
        for (final JsonNode item : items)
        {
            if (item.isContainerNode() || item.isNull())
            {
                problems.add(key.path() + ": entry " + describe(item) + " is not host:port");
                continue;
            }
            try
            {
                entries.add(parseEndpoint(key, item.asText().trim()));
            }
            catch (final ConfigException ex)
            {
                problems.addAll(ex.problems());
            }
        }
        if (!problems.isEmpty())
        {
            throw new ConfigException(problems);
        }
        return List.copyOf(entries);
    }

    private static String describe(final JsonNode node)
    {
        if (node.isObject())
        {
            return "a section";
        }
        if (node.isArray())
        {
            return "a list";
        }
        if (node.isNull())
        {
            return "an empty value";
        }
        return "the value '" + node.asText() + "'";
    }

    private Object typed(final String path, final ConfigSchema.Type type)
    {
        final ConfigSchema.Key key = ConfigSchema.key(path);
        if (key == null)
        {
            throw new ConfigException(path + ": unknown key");
        }
        if (key.type() != type)
        {
            throw new ConfigException(path + ": is a " + key.type() + " key, not " + type);
        }
        return values.get(path);
    }

    /**
     * A yes/no key.
     *
     * @param path full dotted key path, e.g. {@code stream.midstream}.
     * @return the value.
     * @throws ConfigException when the key is unknown or not a {@link ConfigSchema.Type#BOOL}.
     */
    public boolean bool(final String path)
    {
        return (Boolean)typed(path, ConfigSchema.Type.BOOL);
    }

    /**
     * A size key, in bytes.
     *
     * @param path full dotted key path, e.g. {@code stream.reassembly.depth}.
     * @return the size in bytes.
     * @throws ConfigException when the key is unknown or not a {@link ConfigSchema.Type#SIZE}.
     */
    public long size(final String path)
    {
        return (Long)typed(path, ConfigSchema.Type.SIZE);
    }

    /**
     * A timeout key, in whole seconds.
     *
     * @param path full dotted key path, e.g. {@code flow-timeouts.tcp.established}.
     * @return the timeout in seconds.
     * @throws ConfigException when the key is unknown or not a {@link ConfigSchema.Type#SECONDS}.
     */
    public long seconds(final String path)
    {
        return (Long)typed(path, ConfigSchema.Type.SECONDS);
    }

    /**
     * A whole-number key (the schema bounds every one within an int).
     *
     * @param path full dotted key path, e.g. {@code flow.hash-size}.
     * @return the value.
     * @throws ConfigException when the key is unknown or not an {@link ConfigSchema.Type#INTEGER}.
     */
    public int integer(final String path)
    {
        return ((Long)typed(path, ConfigSchema.Type.INTEGER)).intValue();
    }

    /**
     * A choice key: one of the words the schema allows.
     *
     * @param path full dotted key path, e.g. {@code stream.inline}.
     * @return the word.
     * @throws ConfigException when the key is unknown or not a {@link ConfigSchema.Type#CHOICE}.
     */
    public String string(final String path)
    {
        return (String)typed(path, ConfigSchema.Type.CHOICE);
    }

    /**
     * A path key.
     *
     * @param path full dotted key path, e.g. {@code ha.runtime-output-file}.
     * @return the path as written, or the empty string for none.
     * @throws ConfigException when the key is unknown or not a {@link ConfigSchema.Type#PATH}.
     */
    public String path(final String path)
    {
        return (String)typed(path, ConfigSchema.Type.PATH);
    }

    /**
     * A list key: address entries as written (each already validated by {@link CidrBlock#parse(String)}).
     *
     * @param path full dotted key path, e.g. {@code host-os-policy.linux}.
     * @return the entries, unmodifiable, possibly empty.
     * @throws ConfigException when the key is unknown or not a list.
     */
    @SuppressWarnings("unchecked")
    public List<String> list(final String path)
    {
        return (List<String>)typed(path, ConfigSchema.Type.ADDRESS_LIST);
    }

    /**
     * An endpoint key.
     *
     * @param path full dotted key path, e.g. {@code ha.local-endpoint}.
     * @return host:port as written, or the empty string for none.
     * @throws ConfigException when the key is unknown or not an {@link ConfigSchema.Type#ENDPOINT}.
     */
    public String endpoint(final String path)
    {
        return (String)typed(path, ConfigSchema.Type.ENDPOINT);
    }

    /**
     * An endpoint list key.
     *
     * @param path full dotted key path, e.g. {@code ha.peers}.
     * @return host:port entries as written, unmodifiable, possibly empty.
     * @throws ConfigException when the key is unknown or not an {@link ConfigSchema.Type#ENDPOINT_LIST}.
     */
    @SuppressWarnings("unchecked")
    public List<String> endpoints(final String path)
    {
        return (List<String>)typed(path, ConfigSchema.Type.ENDPOINT_LIST);
    }

    /**
     * The effective configuration as YAML, every key in schema order, for logging at start. Loading this text gives
     * an equal configuration.
     *
     * @return the YAML text.
     */
    public String dump()
    {
        final StringBuilder out = new StringBuilder(4096);
        out.append("# Tandem effective configuration\n");
        render(ConfigSchema.section(""), 0, false, out);
        return out.toString();
    }

    /**
     * The default configuration as YAML with a comment on every section and key saying what it does and what it
     * allows: the content of {@code tandem.yaml.example}.
     *
     * @return the annotated YAML text.
     */
    public static String example()
    {
        final StringBuilder out = new StringBuilder(16384);
        out.append("# Tandem configuration: every key with its default.\n")
            .append("# Key names follow Suricata's suricata.yaml. Sizes take b, kb, mb, gb (1024-based, any case);\n")
            .append("# booleans take yes/no, true/false, on/off, 1/0; timeouts are whole seconds.\n")
            .append("# Any key can be overridden on the command line: --set stream.reassembly.depth=2mb\n");
        defaults().render(ConfigSchema.section(""), 0, true, out);
        return out.toString();
    }

    private void render(
        final ConfigSchema.Section section, final int depth, final boolean annotate, final StringBuilder out)
    {
        final String indent = "  ".repeat(depth);
        for (final String name : section.children())
        {
            final String path = section.path().isEmpty() ? name : section.path() + "." + name;
            final ConfigSchema.Key key = ConfigSchema.key(path);
            if (key != null)
            {
                if (annotate)
                {
                    out.append(indent).append("# ").append(key.description()).append(" Allowed: ")
                        .append(key.allowed()).append(".\n");
                }
                out.append(indent).append(name).append(": ").append(format(key, values.get(path))).append('\n');
            }
            else
            {
                final ConfigSchema.Section child = ConfigSchema.section(path);
                if (annotate)
                {
                    out.append(depth == 0 ? "\n" : "").append(indent).append("# ").append(child.description())
                        .append('\n');
                }
                if (child.children().isEmpty())
                {
                    out.append(indent).append(name).append(": {}\n");
                }
                else
                {
                    out.append(indent).append(name).append(":\n");
                    render(child, depth + 1, annotate, out);
                }
            }
        }
    }

    private static String format(final ConfigSchema.Key key, final Object value)
    {
        return switch (key.type())
        {
            case BOOL -> (Boolean)value ? "yes" : "no";
            case SIZE -> ConfigValues.formatSize((Long)value);
            case SECONDS, INTEGER -> value.toString();
            case CHOICE -> "yes".equals(value) || "no".equals(value) ? "\"" + value + "\"" : value.toString();
            case ADDRESS_LIST, ENDPOINT_LIST -> formatList(value);
            case PATH, ENDPOINT -> quote((String)value);
        };
    }

    private static String quote(final String text)
    {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @SuppressWarnings("unchecked")
    private static String formatList(final Object value)
    {
        final StringBuilder sb = new StringBuilder("[");
        for (final String entry : (List<String>)value)
        {
            sb.append(sb.length() > 1 ? ", \"" : "\"").append(entry).append('"');
        }
        return sb.append(']').toString();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean equals(final Object other)
    {
        return other instanceof TandemConfig that && values.equals(that.values);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int hashCode()
    {
        return values.hashCode();
    }

    /**
     * The same text as {@link #dump()}.
     *
     * @return the YAML text.
     */
    @Override
    public String toString()
    {
        return dump();
    }

    private static final class Defaults
    {
        private static final Map<String, Object> VALUES = parseDefaults();
        private static final TandemConfig INSTANCE = new TandemConfig(VALUES);

        private static Map<String, Object> parseDefaults()
        {
            final Map<String, Object> values = new LinkedHashMap<>();
            for (final ConfigSchema.Key key : ConfigSchema.keys())
            {
                try
                {
                    values.put(key.path(), parseValue(key, YAML.readTree(key.defaultText())));
                }
                catch (final JacksonException ex)
                {
                    throw new IllegalStateException("schema default for " + key.path() + " is not YAML", ex);
                }
            }
            return values;
        }
    }
}
