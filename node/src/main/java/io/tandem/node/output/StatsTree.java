package io.tandem.node.output;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;

/**
 * Dotted counter names folded into a tree for the EVE {@code stats} record.
 */
final class StatsTree
{
    private final Map<String, Object> children = new LinkedHashMap<>();

    static StatsTree of(final Map<String, Long> counters)
    {
        final StatsTree root = new StatsTree();
        for (final Map.Entry<String, Long> e : counters.entrySet())
        {
            root.put(e.getKey(), e.getValue());
        }
        return root;
    }

    private void put(final String name, final long value)
    {
        StatsTree node = this;
        final String[] parts = name.split("\\.");
        for (int i = 0; i < parts.length - 1; i++)
        {
            final Object child = node.children.get(parts[i]);
            if (child instanceof StatsTree tree)
            {
                node = tree;
            }
            else if (child == null)
            {
                final StatsTree tree = new StatsTree();
                node.children.put(parts[i], tree);
                node = tree;
            }
            else
            {
                node.children.put(String.join(".", java.util.Arrays.copyOfRange(parts, i, parts.length)), value);
                return;
            }
        }
        final String leaf = parts[parts.length - 1];
        if (node.children.get(leaf) instanceof StatsTree)
        {
            node.children.put(leaf + ".total", value);
        }
        else
        {
            node.children.put(leaf, value);
        }
    }

    void write(final JsonGenerator json) throws IOException
    {
        json.writeStartObject();
        for (final Map.Entry<String, Object> e : children.entrySet())
        {
            if (e.getValue() instanceof StatsTree tree)
            {
                json.writeFieldName(e.getKey());
                tree.write(json);
            }
            else
            {
                json.writeNumberField(e.getKey(), (Long)e.getValue());
            }
        }
        json.writeEndObject();
    }
}
