package io.tandem.node.admin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.tandem.node.stats.StatsSnapshot;
import io.tandem.node.stats.StatsTotals;

/**
 * The node's admin HTTP endpoint (Netty): {@code /health} (the process is up), {@code /ready} (200 once the node is
 * ready to take traffic, 503 before), {@code /metrics} (every counter in Prometheus text format, named
 * {@code tandem_<dotted_name_with_underscores>}; a name ending in {@code total} is typed as a counter) and
 * {@code /api/v1/status} (JSON). It only reads published {@link StatsSnapshot}s and never touches a worker's state.
 */
public final class AdminServer implements AutoCloseable
{
    private static final String METRIC_PREFIX = "tandem_";
    private static final String COUNTER_SUFFIX = "_total";

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    private final Supplier<List<StatsSnapshot>> snapshots;
    private final BooleanSupplier ready;
    private final Map<String, Object> identity;
    private final long startNs = System.nanoTime();
    private final ObjectMapper json = new ObjectMapper();

    /**
     * Start serving.
     *
     * @param bind      address and port (port 0: any free port, see {@link #port()}).
     * @param snapshots the latest snapshots of the workers (and of a reader feeding them), added up by counter name.
     * @param ready     whether the node is ready.
     * @param identity  facts for the status document (node id, version, sources...); a {@link Supplier} value is
     *                  asked for its current value at each request (it must be safe to call from the server's
     *                  thread, as counters and snapshots are).
     */
    public AdminServer(
        final InetSocketAddress bind,
        final Supplier<List<StatsSnapshot>> snapshots,
        final BooleanSupplier ready,
        final Map<String, Object> identity)
    {
        this.snapshots = snapshots;
        this.ready = ready;
        this.identity = new LinkedHashMap<>(identity);
        channel = new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(64 * 1024))
                        .addLast(new Handler());
                }
            })
            .bind(bind)
            .syncUninterruptibly()
            .channel();
    }

    /**
     * The port bound.
     *
     * @return the port.
     */
    public int port()
    {
        return ((InetSocketAddress)channel.localAddress()).getPort();
    }

    @Override
    public void close()
    {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * Counters of all workers added up by name ({@link StatsTotals}: counts summed, the largest packet the largest),
     * in first-seen order.
     *
     * @return the totals.
     */
    Map<String, Long> totals()
    {
        return StatsTotals.of(snapshots.get());
    }

    /**
     * Prometheus name of a dotted counter name.
     *
     * @param counter e.g. {@code decoder.event.ipv4.trunc_pkt}.
     * @return e.g. {@code tandem_decoder_event_ipv4_trunc_pkt}.
     */
    static String metricName(final String counter)
    {
        final StringBuilder sb = new StringBuilder(METRIC_PREFIX.length() + counter.length()).append(METRIC_PREFIX);
        for (int i = 0; i < counter.length(); i++)
        {
            final char c = counter.charAt(i);
            sb.append(Character.isLetterOrDigit(c) ? c : '_');
        }
        return sb.toString();
    }

    private byte[] metrics() throws IOException
    {
        final List<MetricSnapshot> metrics = new ArrayList<>();
        totals().forEach((name, value) ->
        {
            final String metric = metricName(name);
            if (metric.endsWith(COUNTER_SUFFIX))
            {
                metrics.add(CounterSnapshot.builder()
                    .name(metric.substring(0, metric.length() - COUNTER_SUFFIX.length()))
                    .help("Tandem counter " + name)
                    .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(value).build())
                    .build());
            }
            else
            {
                metrics.add(UnknownSnapshot.builder()
                    .name(PrometheusNaming.sanitizeMetricName(metric))
                    .help("Tandem counter " + name)
                    .dataPoint(UnknownSnapshot.UnknownDataPointSnapshot.builder().value(value).build())
                    .build());
            }
        });
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, new MetricSnapshots(metrics));
        return out.toByteArray();
    }

    private byte[] status() throws IOException
    {
        final Map<String, Object> doc = new LinkedHashMap<>();
        identity.forEach((name, value) -> doc.put(name, value instanceof Supplier<?> live ? live.get() : value));
        doc.put("ready", ready.getAsBoolean());
        doc.put("uptime_seconds", (System.nanoTime() - startNs) / 1_000_000_000L);
        doc.put("counters", totals());
        return json.writeValueAsBytes(doc);
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest>
    {
        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest request) throws IOException
        {
            final String path = new QueryStringDecoder(request.uri()).path();
            final FullHttpResponse response;
            if (!HttpMethod.GET.equals(request.method()))
            {
                response = respond(HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain", "GET only\n");
            }
            else
            {
                response = switch (path)
                {
                    case "/health" -> respond(HttpResponseStatus.OK, "text/plain", "ok\n");
                    case "/ready" -> ready.getAsBoolean() ?
                        respond(HttpResponseStatus.OK, "text/plain", "ready\n") :
                        respond(HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain", "not ready\n");
                    case "/metrics" -> respond(HttpResponseStatus.OK, PrometheusTextFormatWriter.CONTENT_TYPE,
                        metrics());
                    case "/api/v1/status" -> respond(HttpResponseStatus.OK, "application/json", status());
                    default -> respond(HttpResponseStatus.NOT_FOUND, "text/plain",
                        "not found; try /health, /ready, /metrics, /api/v1/status\n");
                };
            }
            final boolean keepAlive = HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(response, keepAlive);
            if (keepAlive)
            {
                ctx.writeAndFlush(response);
            }
            else
            {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            final FullHttpResponse response = respond(HttpResponseStatus.INTERNAL_SERVER_ERROR, "text/plain",
                "error: " + cause + "\n");
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }

        private FullHttpResponse respond(final HttpResponseStatus status, final String type, final String body)
        {
            return respond(status, type, body.getBytes(StandardCharsets.UTF_8));
        }

        private FullHttpResponse respond(final HttpResponseStatus status, final String type, final byte[] body)
        {
            final FullHttpResponse response =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            return response;
        }
    }
}
