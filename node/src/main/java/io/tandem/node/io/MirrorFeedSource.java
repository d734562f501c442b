package io.tandem.node.io;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.tandem.node.stats.StatsSink;
import io.tandem.node.stats.StatsSource;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.SystemEpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * A {@link PacketSource} fed by a traffic mirror over UDP: VXLAN (RFC 7348) or GENEVE (RFC 8926) datagrams whose
 * inner Ethernet frames are delivered with link type 1 and the receive time as timestamp.
 * <p>
 * One Netty event loop thread (epoll when available, NIO otherwise) receives the datagrams, checks the encapsulation
 * and copies each inner frame into a preallocated Agrona {@link OneToOneRingBuffer}; {@link #poll(PacketHandler, int)}
 * drains that ring on the worker's thread without allocating. Nothing a sender does makes the source throw: a
 * malformed datagram is dropped and counted by {@link MirrorDropReason}, and a frame that finds the ring full is
 * dropped and counted as {@link MirrorDropReason#RING_FULL}. Every received datagram is thus either one of
 * {@code mirror.frames} or one of the {@code mirror.dropped.*}.
 *
 * <pre>
 *  ring record: ring header (8, message type = VNI + 1), receive time ns (8), inner Ethernet frame
 * </pre>
 *
 * Threads: {@link #poll(PacketHandler, int)} from one thread (the worker); {@link #reportStats(StatsSink)} and
 * {@link #close()} from any thread.
 */
public final class MirrorFeedSource implements PacketSource, StatsSource
{
    /** Link type of every delivered frame: LINKTYPE_ETHERNET. */
    public static final int LINKTYPE_ETHERNET = 1;
    /** Length of an Ethernet header: the least an inner frame must hold. */
    public static final int ETHERNET_HEADER_LENGTH = 14;
    /** Bytes of a ring record's payload ahead of the frame: the receive time. */
    public static final int RECORD_PREFIX_LENGTH = 8;

    private static final int DATAGRAMS = 0;
    private static final int FRAMES = 1;
    private static final int BYTES = 2;
    private static final int ERRORS = 3;
    private static final int FIRST_DROP = 4;
    private static final MirrorDropReason[] DROP_REASONS = MirrorDropReason.values();

    private final String name;
    private final String transport;
    private final EpochNanoClock clock;
    private final Encapsulation encapsulation;
    private final OneToOneRingBuffer ring;
    private final AtomicLongArray counters = new AtomicLongArray(FIRST_DROP + DROP_REASONS.length);
    private final UnsafeBuffer datagramView = new UnsafeBuffer(0, 0);
    private final byte[] datagramCopy;
    private final UnsafeBuffer frame = new UnsafeBuffer(0, 0);
    private final MessageHandler messageHandler = this::onMessage;
    private final EventLoopGroup group;
    private final Channel channel;
    private final int port;

    private PacketHandler handler;
    private int currentVni = -1;
    private long framesDelivered;
    private volatile boolean closed;

    /**
     * Settings of a mirror feed, with their defaults.
     */
    public static final class Context
    {
        /** Default bind address: every interface. */
        public static final String BIND_ADDRESS_DEFAULT = "0.0.0.0";
        /** Default ring capacity: 16 MB (a power of two). */
        public static final int RING_CAPACITY_BYTES_DEFAULT = 16 * 1024 * 1024;
        /** Default socket receive buffer (SO_RCVBUF) asked for; the kernel may cap it (net.core.rmem_max). */
        public static final int RECEIVE_BUFFER_BYTES_DEFAULT = 4 * 1024 * 1024;
        /** Default largest datagram read whole: the largest UDP payload. */
        public static final int MAX_DATAGRAM_BYTES_DEFAULT = 65_536;
        /** Port value that stands for the encapsulation's own port (4789 or 6081). */
        public static final int PORT_OF_ENCAPSULATION = -1;

        private String bindAddress = BIND_ADDRESS_DEFAULT;
        private int port = PORT_OF_ENCAPSULATION;
        private Encapsulation encapsulation = Encapsulation.VXLAN;
        private int ringCapacityBytes = RING_CAPACITY_BYTES_DEFAULT;
        private int receiveBufferBytes = RECEIVE_BUFFER_BYTES_DEFAULT;
        private int maxDatagramBytes = MAX_DATAGRAM_BYTES_DEFAULT;
        private boolean preferEpoll = true;
        private EpochNanoClock clock;

        /**
         * Address to bind.
         *
         * @return a host name or literal address.
         */
        public String bindAddress()
        {
            return bindAddress;
        }

        /**
         * Address to bind.
         *
         * @param value a host name or literal address.
         * @return this.
         */
        public Context bindAddress(final String value)
        {
            bindAddress = value;
            return this;
        }

        /**
         * UDP port to bind: 0 for an ephemeral port, {@link #PORT_OF_ENCAPSULATION} for the encapsulation's own.
         *
         * @return the port.
         */
        public int port()
        {
            return port;
        }

        /**
         * UDP port to bind.
         *
         * @param value 0..65535, or {@link #PORT_OF_ENCAPSULATION}.
         * @return this.
         */
        public Context port(final int value)
        {
            port = value;
            return this;
        }

        /**
         * Encapsulation of every datagram on the port.
         *
         * @return the encapsulation.
         */
        public Encapsulation encapsulation()
        {
            return encapsulation;
        }

        /**
         * Encapsulation of every datagram on the port.
         *
         * @param value the encapsulation.
         * @return this.
         */
        public Context encapsulation(final Encapsulation value)
        {
            encapsulation = value;
            return this;
        }

        /**
         * Capacity of the ring between the receive thread and the poller; one record holds at most an eighth of it.
         *
         * @return bytes, a power of two.
         */
        public int ringCapacityBytes()
        {
            return ringCapacityBytes;
        }

        /**
         * Capacity of the ring between the receive thread and the poller.
         *
         * @param value bytes, a power of two of at least 1 KB.
         * @return this.
         */
        public Context ringCapacityBytes(final int value)
        {
            ringCapacityBytes = value;
            return this;
        }

        /**
         * Socket receive buffer asked for (SO_RCVBUF).
         *
         * @return bytes.
         */
        public int receiveBufferBytes()
        {
            return receiveBufferBytes;
        }

        /**
         * Socket receive buffer asked for (SO_RCVBUF).
         *
         * @param value bytes, positive.
         * @return this.
         */
        public Context receiveBufferBytes(final int value)
        {
            receiveBufferBytes = value;
            return this;
        }

        /**
         * Largest datagram read whole; longer ones are truncated by the socket.
         *
         * @return bytes.
         */
        public int maxDatagramBytes()
        {
            return maxDatagramBytes;
        }

        /**
         * Largest datagram read whole.
         *
         * @param value bytes, 64..65536.
         * @return this.
         */
        public Context maxDatagramBytes(final int value)
        {
            maxDatagramBytes = value;
            return this;
        }

        /**
         * Whether to use the epoll transport when it is available (else NIO).
         *
         * @return true to prefer epoll.
         */
        public boolean preferEpoll()
        {
            return preferEpoll;
        }

        /**
         * Whether to use the epoll transport when it is available (else NIO).
         *
         * @param value true to prefer epoll.
         * @return this.
         */
        public Context preferEpoll(final boolean value)
        {
            preferEpoll = value;
            return this;
        }

        /**
         * Clock read on the receive thread for each datagram's timestamp.
         *
         * @return the clock, or null before {@link #conclude()} for the system clock.
         */
        public EpochNanoClock clock()
        {
            return clock;
        }

        /**
         * Clock read on the receive thread for each datagram's timestamp.
         *
         * @param value the clock; it must be safe to call from the receive thread.
         * @return this.
         */
        public Context clock(final EpochNanoClock value)
        {
            clock = value;
            return this;
        }

        /**
         * Validate the settings and fill in the defaults that depend on others.
         *
         * @return this.
         * @throws IllegalArgumentException on an impossible setting.
         */
        public Context conclude()
        {
            if (null == bindAddress || bindAddress.isBlank())
            {
                throw new IllegalArgumentException("mirror bind address must not be empty");
            }
            if (null == encapsulation)
            {
                throw new IllegalArgumentException("mirror encapsulation must be set");
            }
            if (PORT_OF_ENCAPSULATION == port)
            {
                port = encapsulation.defaultPort();
            }
            if (port < 0 || port > 65_535)
            {
                throw new IllegalArgumentException("mirror port " + port + " is not 0..65535");
            }
            if (ringCapacityBytes < 1024 || !BitUtil.isPowerOfTwo(ringCapacityBytes))
            {
                throw new IllegalArgumentException(
                    "mirror ring capacity " + ringCapacityBytes + " is not a power of two of at least 1024 bytes");
            }
            if (receiveBufferBytes <= 0)
            {
                throw new IllegalArgumentException("mirror receive buffer " + receiveBufferBytes + " is not positive");
            }
            if (maxDatagramBytes < 64 || maxDatagramBytes > MAX_DATAGRAM_BYTES_DEFAULT)
            {
                throw new IllegalArgumentException("mirror max datagram " + maxDatagramBytes + " is not 64..65536");
            }
            if (null == clock)
            {
                clock = new SystemEpochNanoClock();
            }
            return this;
        }
    }

    private MirrorFeedSource(final Context ctx)
    {
        clock = ctx.clock();
        encapsulation = ctx.encapsulation();
        ring = new OneToOneRingBuffer(new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            ctx.ringCapacityBytes() + RingBufferDescriptor.TRAILER_LENGTH, BitUtil.CACHE_LINE_LENGTH)));
        datagramCopy = new byte[ctx.maxDatagramBytes()];

        final boolean epoll = ctx.preferEpoll() && Epoll.isAvailable();
        transport = epoll ? "epoll" : "nio";
        group = new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("tandem-mirror", true),
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        final Bootstrap bootstrap = new Bootstrap()
            .group(group)
            .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
            .option(ChannelOption.SO_RCVBUF, ctx.receiveBufferBytes())
            .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(ctx.maxDatagramBytes()))
            .handler(new ReceiveHandler());
        final ChannelFuture bound = bootstrap.bind(ctx.bindAddress(), ctx.port()).awaitUninterruptibly();
        if (!bound.isSuccess())
        {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            throw new IllegalStateException("mirror feed: cannot bind UDP " + ctx.bindAddress() + ":" +
                ctx.port() + " (" + bound.cause() + ")", bound.cause());
        }
        channel = bound.channel();
        port = ((InetSocketAddress)channel.localAddress()).getPort();
        name = "mirror:" + encapsulation.name().toLowerCase() + "@" + ctx.bindAddress() + ":" + port;
    }

    /**
     * Bind the UDP port and start receiving.
     *
     * @param ctx settings; {@link Context#conclude()} is called on them.
     * @return a source that is receiving.
     * @throws IllegalArgumentException on impossible settings.
     * @throws IllegalStateException    if the port cannot be bound.
     */
    public static MirrorFeedSource open(final Context ctx)
    {
        return new MirrorFeedSource(ctx.conclude());
    }

    /**
     * Deliver up to {@code limit} received frames, each with link type 1, its captured and wire length equal to the
     * inner frame's length and its receive time. Allocates nothing.
     *
     * @param handler to call once per frame.
     * @param limit   most frames to deliver in this call.
     * @return the number of frames delivered; 0 when none are waiting or the source is closed.
     */
    @Override
    public int poll(final PacketHandler handler, final int limit)
    {
        if (closed)
        {
            return 0;
        }
        this.handler = handler;
        try
        {
            return ring.read(messageHandler, limit);
        }
        finally
        {
            this.handler = null;
            currentVni = -1;
        }
    }

    /**
     * False until {@link #close()}: a mirror feed never ends by itself.
     *
     * @return true once closed.
     */
    @Override
    public boolean isEndOfStream()
    {
        return closed;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String name()
    {
        return name;
    }

    /**
     * Stop the receive thread and release the port; frames still in the ring are discarded. Idempotent.
     */
    @Override
    public void close()
    {
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
        }
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * Report {@code mirror.datagrams}, {@code mirror.frames} and {@code mirror.bytes} (frames and inner frame bytes
     * put in the ring), {@code mirror.errors} (socket errors) and one {@code mirror.dropped.<reason>} per
     * {@link MirrorDropReason}.
     *
     * @param sink to report into.
     */
    @Override
    public void reportStats(final StatsSink sink)
    {
        sink.counter("mirror.datagrams", counters.get(DATAGRAMS));
        sink.counter("mirror.frames", counters.get(FRAMES));
        sink.counter("mirror.bytes", counters.get(BYTES));
        sink.counter("mirror.errors", counters.get(ERRORS));
        for (final MirrorDropReason reason : DROP_REASONS)
        {
            sink.counter(reason.counterName(), counters.get(FIRST_DROP + reason.ordinal()));
        }
    }

    /**
     * Datagrams received so far.
     *
     * @return the count.
     */
    public long datagramsReceived()
    {
        return counters.get(DATAGRAMS);
    }

    /**
     * Datagrams dropped so far for one reason.
     *
     * @param reason why.
     * @return the count.
     */
    public long dropped(final MirrorDropReason reason)
    {
        return counters.get(FIRST_DROP + reason.ordinal());
    }

    /**
     * Frames delivered by {@link #poll(PacketHandler, int)} so far; read it on the polling thread.
     *
     * @return the count.
     */
    public long framesDelivered()
    {
        return framesDelivered;
    }

    /**
     * VNI of the frame being delivered, for a handler that wants it during its call.
     *
     * @return the 24-bit VNI, or -1 outside a delivery.
     */
    public int currentVni()
    {
        return currentVni;
    }

    /**
     * The UDP port actually bound (useful with port 0).
     *
     * @return the port.
     */
    public int port()
    {
        return port;
    }

    /**
     * The Netty transport in use.
     *
     * @return {@code epoll} or {@code nio}.
     */
    public String transport()
    {
        return transport;
    }

    /**
     * The encapsulation this source expects.
     *
     * @return VXLAN or GENEVE.
     */
    public Encapsulation encapsulation()
    {
        return encapsulation;
    }

    /**
     * Check one datagram's encapsulation and find its inner Ethernet frame.
     *
     * @param datagram      the UDP payload, starting at index 0.
     * @param length        bytes of the payload.
     * @param encapsulation expected encapsulation.
     * @return the offset of the inner frame, or {@code -(reason.ordinal() + 1)} for a {@link MirrorDropReason}.
     */
    static int decapsulate(final DirectBuffer datagram, final int length, final Encapsulation encapsulation)
    {
        if (length < Encapsulation.HEADER_LENGTH + ETHERNET_HEADER_LENGTH)
        {
            return drop(MirrorDropReason.SHORT);
        }
        final int first = datagram.getByte(0) & 0xFF;
        if (Encapsulation.VXLAN == encapsulation)
        {
            return 0 == (first & Encapsulation.VXLAN_FLAG_VNI) ?
                drop(MirrorDropReason.BAD_FLAGS) : Encapsulation.HEADER_LENGTH;
        }
        if (0 != (first >>> 6))
        {
            return drop(MirrorDropReason.BAD_VERSION);
        }
        final int optionsEnd = Encapsulation.HEADER_LENGTH + (first & 0x3F) * 4;
        if (optionsEnd > length)
        {
            return drop(MirrorDropReason.BAD_OPTIONS);
        }
        if (0 != (datagram.getByte(1) & Encapsulation.GENEVE_FLAG_CONTROL))
        {
            return drop(MirrorDropReason.CONTROL);
        }
        if ((datagram.getShort(2, ByteOrder.BIG_ENDIAN) & 0xFFFF) != Encapsulation.GENEVE_PROTOCOL_ETHERNET)
        {
            return drop(MirrorDropReason.UNKNOWN_PROTOCOL);
        }
        int offset = Encapsulation.HEADER_LENGTH;
        while (offset < optionsEnd)
        {
            final int type = datagram.getByte(offset + 2) & 0xFF;
            final int next = offset + 4 + (datagram.getByte(offset + 3) & 0x1F) * 4;
            if (next > optionsEnd)
            {
                return drop(MirrorDropReason.BAD_OPTIONS);
            }
            if (0 != (type & Encapsulation.GENEVE_OPTION_CRITICAL))
            {
                return drop(MirrorDropReason.CRITICAL_OPTION);
            }
            offset = next;
        }
        return length - optionsEnd < ETHERNET_HEADER_LENGTH ? drop(MirrorDropReason.SHORT) : optionsEnd;
    }

    private static int drop(final MirrorDropReason reason)
    {
        return -(reason.ordinal() + 1);
    }

    private void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final long timestampNs = buffer.getLong(index);
        final int frameLength = length - RECORD_PREFIX_LENGTH;
        frame.wrap(buffer, index + RECORD_PREFIX_LENGTH, frameLength);
        currentVni = msgTypeId - 1;
        framesDelivered++;
        handler.onPacket(frame, frameLength, frameLength, timestampNs, LINKTYPE_ETHERNET);
    }

    private void increment(final int counter, final long delta)
    {
        counters.lazySet(counter, counters.getPlain(counter) + delta);
    }

    private void onDatagram(final ByteBuf content)
    {
        final long timestampNs = clock.nanoTime();
        increment(DATAGRAMS, 1);
        final int length = content.readableBytes();
        final int start = content.readerIndex();
        if (content.hasMemoryAddress())
        {
            datagramView.wrap(content.memoryAddress() + start, length);
        }
        else if (content.hasArray())
        {
            datagramView.wrap(content.array(), content.arrayOffset() + start, length);
        }
        else if (content.isDirect() && 1 == content.nioBufferCount())
        {
            final ByteBuffer nio = content.internalNioBuffer(start, length);
            datagramView.wrap(nio, nio.position(), length);
        }
        else
        {
            final int copied = Math.min(length, datagramCopy.length);
            content.getBytes(start, datagramCopy, 0, copied);
            datagramView.wrap(datagramCopy, 0, copied);
        }

        final int innerOffset = decapsulate(datagramView, datagramView.capacity(), encapsulation);
        if (innerOffset < 0)
        {
            increment(FIRST_DROP - innerOffset - 1, 1);
            return;
        }
        final int frameLength = datagramView.capacity() - innerOffset;
        final int recordLength = RECORD_PREFIX_LENGTH + frameLength;
        if (recordLength > ring.maxMsgLength())
        {
            increment(FIRST_DROP + MirrorDropReason.TOO_LARGE.ordinal(), 1);
            return;
        }
        final int vni = datagramView.getInt(4, ByteOrder.BIG_ENDIAN) >>> 8;
        final int index = ring.tryClaim(vni + 1, recordLength);
        if (index < 0)
        {
            increment(FIRST_DROP + MirrorDropReason.RING_FULL.ordinal(), 1);
            return;
        }
        final MutableDirectBuffer buffer = ring.buffer();
        buffer.putLong(index, timestampNs);
        buffer.putBytes(index + RECORD_PREFIX_LENGTH, datagramView, innerOffset, frameLength);
        ring.commit(index);
        increment(FRAMES, 1);
        increment(BYTES, frameLength);
    }

    private final class ReceiveHandler extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            try
            {
                if (msg instanceof DatagramPacket packet)
                {
                    onDatagram(packet.content());
                }
            }
            finally
            {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            increment(ERRORS, 1);
        }
    }
}
