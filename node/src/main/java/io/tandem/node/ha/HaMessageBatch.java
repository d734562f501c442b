package io.tandem.node.ha;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tandem.proto.ha.v1.SessionBatch;
import io.tandem.proto.ha.v1.SessionMessage;
import io.tandem.proto.wire.SessionMessageWriter;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.IntArrayList;

/**
 * The session messages the HA manager produced since its last hand-over, encoded (each an encoded
 * {@code tandem.ha.v1.SessionMessage}) one after another in one reused buffer: what a sink receives. The side channel
 * hands each message's bytes to the transport as they are; a sink of envelopes (a file, an in-memory channel) makes a
 * {@link SessionBatch} of them ({@link #toSessionBatch()}). Valid until the manager's next hand-over: a sink that
 * keeps messages copies them. Not thread-safe.
 */
public final class HaMessageBatch
{
    private static final int INITIAL_BYTES = 64 * 1024;

    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(INITIAL_BYTES);
    private final IntArrayList offsets = new IntArrayList();
    private final IntArrayList lengths = new IntArrayList();
    private int end;

    /**
     * How many messages the batch holds.
     *
     * @return the count.
     */
    public int size()
    {
        return offsets.size();
    }

    /**
     * Whether the batch holds none.
     *
     * @return true when empty.
     */
    public boolean isEmpty()
    {
        return offsets.isEmpty();
    }

    /**
     * The buffer the messages are in.
     *
     * @return the buffer.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Where a message starts.
     *
     * @param index 0 to {@link #size()} - 1.
     * @return its offset in {@link #buffer()}.
     */
    public int offset(final int index)
    {
        return offsets.getInt(index);
    }

    /**
     * A message's length.
     *
     * @param index 0 to {@link #size()} - 1.
     * @return its length.
     */
    public int length(final int index)
    {
        return lengths.getInt(index);
    }

    /**
     * Append the writer's message as an update.
     *
     * @param writer holding the message.
     */
    public void addUpdate(final SessionMessageWriter writer)
    {
        add(writer.writeUpdate(buffer, end) - end);
    }

    /**
     * Append the writer's message as a delete.
     *
     * @param writer holding the key.
     */
    public void addDelete(final SessionMessageWriter writer)
    {
        add(writer.writeDelete(buffer, end) - end);
    }

    /**
     * Append a message given as an object (a message handed back unsent).
     *
     * @param message the message.
     */
    public void add(final SessionMessage message)
    {
        final byte[] bytes = message.toByteArray();
        buffer.putBytes(end, bytes);
        add(bytes.length);
    }

    private void add(final int length)
    {
        offsets.addInt(end);
        lengths.addInt(length);
        end += length;
    }

    /**
     * Forget every message.
     */
    public void clear()
    {
        offsets.clear();
        lengths.clear();
        end = 0;
    }

    /**
     * One message as an object, for the paths that keep messages (retries, resync queues).
     *
     * @param index 0 to {@link #size()} - 1.
     * @return the message.
     */
    public SessionMessage message(final int index)
    {
        final byte[] bytes = new byte[length(index)];
        buffer.getBytes(offset(index), bytes);
        try
        {
            return SessionMessage.parseFrom(bytes);
        }
        catch (final InvalidProtocolBufferException ex)
        {
            throw new IllegalStateException("the manager wrote a session message protobuf cannot read", ex);
        }
    }

    /**
     * The messages as a protobuf batch, for sinks of envelopes.
     *
     * @return the batch.
     */
    public SessionBatch toSessionBatch()
    {
        final SessionBatch.Builder batch = SessionBatch.newBuilder();
        for (int i = 0; i < size(); i++)
        {
            batch.addMessages(message(i));
        }
        return batch.build();
    }

    /**
     * A batch holding these messages, for a sink given a batch as objects.
     *
     * @param batch the messages.
     * @return a new batch.
     */
    public static HaMessageBatch of(final SessionBatch batch)
    {
        final HaMessageBatch messages = new HaMessageBatch();
        for (int i = 0; i < batch.getMessagesCount(); i++)
        {
            messages.add(batch.getMessages(i));
        }
        return messages;
    }
}
