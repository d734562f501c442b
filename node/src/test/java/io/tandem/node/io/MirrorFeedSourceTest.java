package io.tandem.node.io;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

class MirrorFeedSourceTest
{
    private static final long CLOCK_STEP_NS = 1_000L;
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(20);

    private final AtomicLong ticks = new AtomicLong();
    private final List<MirrorFeedSource> sources = new ArrayList<>();
    private DatagramChannel sender;

    /**
     * One delivered frame, copied out of the handler call.
     *
     * @param bytes          the frame.
     * @param capturedLength as delivered.
     * @param wireLength     as delivered.
     * @param timestampNs    as delivered.
     * @param linkType       as delivered.
     * @param vni            {@link MirrorFeedSource#currentVni()} during the call.
     */
    record Received(byte[] bytes, int capturedLength, int wireLength, long timestampNs, int linkType, int vni)
    {
    }

    @AfterEach
    void tearDown() throws IOException
    {
        sources.forEach(MirrorFeedSource::close);
        if (null != sender)
        {
            sender.close();
        }
    }

    private MirrorFeedSource open(final MirrorFeedSource.Context ctx)
    {
        final MirrorFeedSource source = MirrorFeedSource.open(ctx
            .bindAddress("127.0.0.1")
            .port(0)
            .clock(() -> ticks.incrementAndGet() * CLOCK_STEP_NS));
        sources.add(source);
        return source;
    }

    private void send(final MirrorFeedSource source, final byte[] datagram) throws IOException
    {
        if (null == sender)
        {
            sender = DatagramChannel.open();
        }
        sender.send(ByteBuffer.wrap(datagram), new InetSocketAddress("127.0.0.1", source.port()));
    }

    static List<Received> drain(final MirrorFeedSource source, final int count)
    {
        final List<Received> received = new ArrayList<>();
        final PacketHandler handler = (frame, capturedLength, wireLength, timestampNs, linkType) ->
        {
            final byte[] bytes = new byte[capturedLength];
            frame.getBytes(0, bytes);
            received.add(new Received(bytes, capturedLength, wireLength, timestampNs, linkType, source.currentVni()));
        };
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (received.size() < count)
        {
            if (0 == source.poll(handler, count - received.size()))
            {
                if (System.nanoTime() > deadlineNs)
                {
                    fail("only " + received.size() + " of " + count + " frames arrived; " + counters(source));
                }
                Thread.yield();
            }
        }
        return received;
    }

    private static void awaitDatagrams(final MirrorFeedSource source, final long count)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (source.datagramsReceived() < count)
        {
            if (System.nanoTime() > deadlineNs)
            {
                fail("only " + source.datagramsReceived() + " of " + count + " datagrams arrived");
            }
            Thread.yield();
        }
    }

    static Map<String, Long> counters(final MirrorFeedSource source)
    {
        final Map<String, Long> counters = new HashMap<>();
        source.reportStats(counters::put);
        return counters;
    }

    static byte[] ethernetFrame(final SplittableRandom random, final int length)
    {
        final byte[] frame = new byte[length];
        for (int i = 0; i < length; i++)
        {
            frame[i] = (byte)random.nextInt(256);
        }
        frame[12] = 0x08;
        frame[13] = 0x00;
        return frame;
    }

    static byte[] vxlan(final int flags, final int vni, final byte[] frame)
    {
        final ByteBuffer datagram = ByteBuffer.allocate(8 + frame.length).order(ByteOrder.BIG_ENDIAN);
        datagram.putInt(flags << 24).putInt(vni << 8).put(frame);
        return datagram.array();
    }

    static byte[] geneve(
        final int version, final int flags, final int protocol, final int vni, final byte[] options, final int optLen,
        final byte[] frame)
    {
        final ByteBuffer datagram = ByteBuffer.allocate(8 + options.length + frame.length).order(ByteOrder.BIG_ENDIAN);
        datagram.put((byte)((version << 6) | optLen)).put((byte)flags).putShort((short)protocol)
            .putInt(vni << 8).put(options).put(frame);
        return datagram.array();
    }

    static byte[] geneve(final int vni, final byte[] options, final byte[] frame)
    {
        return geneve(0, 0, Encapsulation.GENEVE_PROTOCOL_ETHERNET, vni, options, options.length / 4, frame);
    }

    static byte[] option(final int optionClass, final int type, final int dataWords)
    {
        final ByteBuffer option = ByteBuffer.allocate(4 + dataWords * 4).order(ByteOrder.BIG_ENDIAN);
        option.putShort((short)optionClass).put((byte)type).put((byte)dataWords);
        while (option.hasRemaining())
        {
            option.put((byte)0x5A);
        }
        return option.array();
    }

    static byte[] concat(final byte[]... parts)
    {
        int length = 0;
        for (final byte[] part : parts)
        {
            length += part.length;
        }
        final ByteBuffer all = ByteBuffer.allocate(length);
        for (final byte[] part : parts)
        {
            all.put(part);
        }
        return all.array();
    }

    @ParameterizedTest
    @ValueSource(booleans = { true, false })
    void shouldDeliverVxlanFramesByteIdenticalInOrderWithReceiveTimeAndVni(final boolean preferEpoll)
        throws IOException
    {
        final MirrorFeedSource source = open(new MirrorFeedSource.Context()
            .encapsulation(Encapsulation.VXLAN)
            .preferEpoll(preferEpoll));
        assertThat(source.transport()).isEqualTo(preferEpoll ? "epoll" : "nio");
        assertThat(source.isEndOfStream()).isFalse();

        final SplittableRandom random = new SplittableRandom(7);
        final List<byte[]> frames = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < 200; i++)
        {
            final byte[] frame = ethernetFrame(random, i == 100 ? 9000 : 14 + random.nextInt(1500));
            frames.add(frame);
            bytes += frame.length;
            send(source, vxlan(Encapsulation.VXLAN_FLAG_VNI | 0x01, 0xABCDEF - i, frame));
        }

        final List<Received> received = drain(source, frames.size());
        for (int i = 0; i < frames.size(); i++)
        {
            final Received r = received.get(i);
            assertThat(r.bytes()).as("frame %d", i).isEqualTo(frames.get(i));
            assertThat(r.capturedLength()).isEqualTo(frames.get(i).length);
            assertThat(r.wireLength()).isEqualTo(frames.get(i).length);
            assertThat(r.linkType()).isEqualTo(MirrorFeedSource.LINKTYPE_ETHERNET);
            assertThat(r.timestampNs()).isEqualTo((i + 1) * CLOCK_STEP_NS);
            assertThat(r.vni()).isEqualTo(0xABCDEF - i);
        }
        assertThat(source.currentVni()).isEqualTo(-1);
        assertThat(source.framesDelivered()).isEqualTo(frames.size());
        final Map<String, Long> counters = counters(source);
        assertThat(counters).containsEntry("mirror.datagrams", 200L)
            .containsEntry("mirror.frames", 200L)
            .containsEntry("mirror.bytes", bytes)
            .containsEntry("mirror.dropped.ring_full", 0L)
            .containsEntry("mirror.dropped.short", 0L);
    }

    @Test
    void shouldDeliverGeneveFramesWithOptionsByteIdenticalInOrder() throws IOException
    {
        final MirrorFeedSource source = open(new MirrorFeedSource.Context().encapsulation(Encapsulation.GENEVE));
        assertThat(source.name()).startsWith("mirror:geneve@127.0.0.1:");

        final SplittableRandom random = new SplittableRandom(11);
        final byte[][] optionSets = {
            new byte[0],
            option(0x0108, 0x01, 1),
            concat(option(0x0108, 0x02, 0), option(0xFFFF, 0x7F, 4), option(0x0000, 0x10, 31)),
            option(0x0103, 0x00, 2),
        };
        final List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 120; i++)
        {
            final byte[] frame = ethernetFrame(random, 14 + random.nextInt(1500));
            frames.add(frame);
            send(source, geneve(i, optionSets[i % optionSets.length], frame));
        }

        final List<Received> received = drain(source, frames.size());
        for (int i = 0; i < frames.size(); i++)
        {
            assertThat(received.get(i).bytes()).as("frame %d", i).isEqualTo(frames.get(i));
            assertThat(received.get(i).vni()).isEqualTo(i);
        }
        assertThat(counters(source)).containsEntry("mirror.frames", 120L).containsEntry("mirror.datagrams", 120L);
    }

    @Test
    void shouldCountAndDropEveryMalformedVxlanDatagram() throws IOException
    {
        final MirrorFeedSource source = open(new MirrorFeedSource.Context().encapsulation(Encapsulation.VXLAN));
        final SplittableRandom random = new SplittableRandom(3);
        final byte[] frame = ethernetFrame(random, 60);

        send(source, new byte[7]);
        send(source, vxlan(Encapsulation.VXLAN_FLAG_VNI, 1, new byte[13]));
        send(source, vxlan(0x00, 1, frame));
        send(source, vxlan(0xF7, 1, frame));
        send(source, geneve(1, new byte[0], frame));
        final byte[] sentinel = ethernetFrame(random, 64);
        send(source, vxlan(Encapsulation.VXLAN_FLAG_VNI, 2, sentinel));

        final List<Received> received = drain(source, 1);
        assertThat(received.getFirst().bytes()).isEqualTo(sentinel);
        assertThat(source.poll((f, c, w, t, l) -> fail("unexpected frame"), 10)).isZero();
        assertThat(counters(source))
            .containsEntry("mirror.datagrams", 6L)
            .containsEntry("mirror.frames", 1L)
            .containsEntry("mirror.bytes", 64L)
            .containsEntry("mirror.dropped.short", 2L)
            .containsEntry("mirror.dropped.bad_flags", 3L);
    }

    @Test
    void shouldCountAndDropEveryMalformedGeneveDatagram() throws IOException
    {
        final MirrorFeedSource source = open(new MirrorFeedSource.Context().encapsulation(Encapsulation.GENEVE));
        final SplittableRandom random = new SplittableRandom(5);
        final byte[] frame = ethernetFrame(random, 60);
        final byte[] noOptions = new byte[0];
        final int ethernet = Encapsulation.GENEVE_PROTOCOL_ETHERNET;

        send(source, new byte[5]);
        send(source, geneve(7, noOptions, new byte[13]));
        send(source, geneve(7, option(0x0108, 1, 2), new byte[10]));
        send(source, geneve(1, 0, ethernet, 7, noOptions, 0, frame));
        send(source, geneve(2, 0, ethernet, 7, noOptions, 0, frame));
        send(source, geneve(0, 0, ethernet, 7, noOptions, 63, frame));
        send(source, geneve(0, 0, ethernet, 7, option(0x0108, 1, 1), 20, new byte[40]));
        send(source, geneve(0, 0, ethernet, 7, option(0x0108, 1, 3), 2, frame));
        send(source, geneve(0, Encapsulation.GENEVE_FLAG_CONTROL, ethernet, 7, noOptions, 0, frame));
        send(source, geneve(0, 0, 0x0800, 7, noOptions, 0, frame));
        send(source, geneve(0, 0, 0x86DD, 7, noOptions, 0, frame));
        send(source, geneve(0, 0, 0x0000, 7, noOptions, 0, frame));
        send(source, geneve(7, concat(option(0x0108, 1, 0), option(0x0108, 0x81, 1)), frame));
        send(source, geneve(0, Encapsulation.GENEVE_FLAG_CRITICAL, ethernet, 7, option(0, 0xFF, 0), 1, frame));
        final byte[] sentinel = ethernetFrame(random, 70);
        send(source, geneve(8, option(0x0108, 1, 1), sentinel));

        final List<Received> received = drain(source, 1);
        assertThat(received.getFirst().bytes()).isEqualTo(sentinel);
        assertThat(received.getFirst().vni()).isEqualTo(8);
        assertThat(counters(source))
            .containsEntry("mirror.datagrams", 15L)
            .containsEntry("mirror.frames", 1L)
            .containsEntry("mirror.dropped.short", 3L)
            .containsEntry("mirror.dropped.bad_version", 2L)
            .containsEntry("mirror.dropped.bad_options", 3L)
            .containsEntry("mirror.dropped.control", 1L)
            .containsEntry("mirror.dropped.unknown_protocol", 3L)
            .containsEntry("mirror.dropped.critical_option", 2L)
            .containsEntry("mirror.dropped.ring_full", 0L);
    }

    @Test
    void shouldCountFramesThatFindTheRingFullOrTooSmall() throws IOException
    {
        final MirrorFeedSource source = open(new MirrorFeedSource.Context().ringCapacityBytes(1024));
        final SplittableRandom random = new SplittableRandom(9);
        final List<byte[]> frames = new ArrayList<>();
        send(source, vxlan(Encapsulation.VXLAN_FLAG_VNI, 1, ethernetFrame(random, 200)));
        for (int i = 0; i < 40; i++)
        {
            final byte[] frame = ethernetFrame(random, 64);
            frames.add(frame);
            send(source, vxlan(Encapsulation.VXLAN_FLAG_VNI, 1, frame));
        }
        awaitDatagrams(source, 41);

        final Map<String, Long> counters = counters(source);
        final long queued = counters.get("mirror.frames");
        final long ringFull = counters.get("mirror.dropped.ring_full");
        assertThat(counters).containsEntry("mirror.dropped.too_large", 1L);
        assertThat(ringFull).isPositive().isEqualTo(40 - queued);
        assertThat(source.dropped(MirrorDropReason.RING_FULL)).isEqualTo(ringFull);

        final List<Received> received = drain(source, (int)queued);
        for (int i = 0; i < queued; i++)
        {
            assertThat(received.get(i).bytes()).isEqualTo(frames.get(i));
        }
        assertThat(source.poll((f, c, w, t, l) -> fail("unexpected frame"), 10)).isZero();

        final byte[] after = ethernetFrame(random, 64);
        send(source, vxlan(Encapsulation.VXLAN_FLAG_VNI, 1, after));
        assertThat(drain(source, 1).getFirst().bytes()).as("a drained ring takes frames again").isEqualTo(after);
    }

    @Test
    void shouldReleaseThePortOnClose() throws IOException
    {
        final MirrorFeedSource first = open(new MirrorFeedSource.Context());
        final int port = first.port();
        assertThat(port).isPositive();
        assertThatThrownBy(() -> MirrorFeedSource.open(new MirrorFeedSource.Context()
            .bindAddress("127.0.0.1").port(port)))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining(":" + port);

        first.close();
        first.close();
        assertThat(first.isEndOfStream()).isTrue();
        assertThat(first.poll((f, c, w, t, l) -> fail("closed"), 10)).isZero();

        final MirrorFeedSource second = MirrorFeedSource.open(new MirrorFeedSource.Context()
            .bindAddress("127.0.0.1").port(port));
        sources.add(second);
        assertThat(second.port()).isEqualTo(port);
        final byte[] frame = ethernetFrame(new SplittableRandom(1), 100);
        send(second, vxlan(Encapsulation.VXLAN_FLAG_VNI, 3, frame));
        assertThat(drain(second, 1).getFirst().bytes()).isEqualTo(frame);
    }

    @Test
    void shouldRejectImpossibleSettings()
    {
        assertThatThrownBy(() -> new MirrorFeedSource.Context().ringCapacityBytes(3000).conclude())
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MirrorFeedSource.Context().port(70_000).conclude())
            .isInstanceOf(IllegalArgumentException.class);
        assertThat(new MirrorFeedSource.Context().encapsulation(Encapsulation.GENEVE).conclude().port())
            .isEqualTo(6081);
        assertThat(new MirrorFeedSource.Context().conclude().port()).isEqualTo(4789);
    }
}
