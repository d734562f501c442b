package io.tandem.node.applayer;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Finds the {@link StreamConsumer}s registered with {@link ServiceLoader}.
 */
public final class StreamConsumers
{
    private StreamConsumers()
    {
    }

    /**
     * Every registered consumer, a new instance each (a worker owns its consumers).
     *
     * @return the consumers, in class-path order.
     */
    public static List<StreamConsumer> load()
    {
        final List<StreamConsumer> consumers = new ArrayList<>();
        for (final StreamConsumer consumer : ServiceLoader.load(StreamConsumer.class))
        {
            consumers.add(consumer);
        }
        return consumers;
    }
}
