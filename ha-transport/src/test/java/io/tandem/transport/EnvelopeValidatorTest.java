package io.tandem.transport;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.ByteString;
import io.tandem.proto.ha.v1.Control;
import io.tandem.proto.ha.v1.Envelope;
import io.tandem.proto.ha.v1.Heartbeat;
import io.tandem.proto.ha.v1.SessionBatch;
import io.tandem.proto.ha.v1.SessionDelete;
import io.tandem.proto.ha.v1.SessionKey;
import io.tandem.proto.ha.v1.SessionMessage;

import static org.assertj.core.api.Assertions.assertThat;

class EnvelopeValidatorTest
{
    private static final byte[] KEY = "cluster secret".getBytes(StandardCharsets.UTF_8);

    private final Logger logger = (Logger)LoggerFactory.getLogger(EnvelopeValidator.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void attachAppender()
    {
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void detachAppender()
    {
        logger.detachAppender(logged);
    }

    private static SessionBatch oneDelete()
    {
        return SessionBatch.newBuilder().addMessages(SessionMessage.newBuilder()
            .setDelete(SessionDelete.newBuilder().setKey(SessionKey.newBuilder().setIpVersion(4).setIpProtocol(17))))
            .build();
    }

    @Test
    void shouldStampEveryEnvelopeWithIdentityAndTheNextSequence() throws Exception
    {
        final EnvelopeFactory factory = new EnvelopeFactory(7, 3, 99, null);
        final Envelope first = factory.sessions(oneDelete(), 1000);
        final Envelope second = factory.control(Control.newBuilder()
            .setHeartbeat(Heartbeat.newBuilder().setLastSequence(1)).build(), 2000);

        final Envelope parsed = Envelope.parseFrom(first.toByteArray());
        assertThat(parsed).isEqualTo(first);
        assertThat(parsed.getProtocolVersion()).isEqualTo(HaProtocol.VERSION);
        assertThat(parsed.getClusterId()).isEqualTo(7);
        assertThat(parsed.getSenderNodeId()).isEqualTo(3);
        assertThat(parsed.getSenderEpoch()).isEqualTo(99);
        assertThat(parsed.getSequence()).isEqualTo(1);
        assertThat(parsed.getTimestampNs()).isEqualTo(1000);
        assertThat(parsed.getSessions().getMessages(0).getDelete().getKey().getIpProtocol()).isEqualTo(17);
        assertThat(parsed.getHmac().isEmpty()).isTrue();
        assertThat(second.getSequence()).isEqualTo(2);
        assertThat(second.getControl().getHeartbeat().getLastSequence()).isEqualTo(1);
        assertThat(factory.lastSequence()).isEqualTo(2);
        assertThat(new EnvelopeValidator(7, null).validate(parsed)).isEqualTo(EnvelopeValidator.Verdict.ACCEPTED);
    }

    @Test
    void shouldRejectAnUnknownVersionCountingItAndLoggingVersionAndSender()
    {
        final EnvelopeValidator validator = new EnvelopeValidator(0, null);
        final Envelope fromTheFuture = new EnvelopeFactory(0, 12, 5, null).sessions(oneDelete(), 1).toBuilder()
            .setProtocolVersion(2).build();

        assertThat(validator.validate(fromTheFuture)).isEqualTo(EnvelopeValidator.Verdict.UNSUPPORTED_VERSION);
        assertThat(validator.validate(fromTheFuture)).isEqualTo(EnvelopeValidator.Verdict.UNSUPPORTED_VERSION);

        assertThat(validator.count(EnvelopeValidator.Verdict.UNSUPPORTED_VERSION)).isEqualTo(2);
        assertThat(validator.count(EnvelopeValidator.Verdict.ACCEPTED)).isZero();
        assertThat(logged.list).hasSize(1);
        assertThat(logged.list.get(0).getFormattedMessage())
            .contains("protocol version 2 from node 12")
            .contains("speaks version 1");
        final StringBuilder stats = new StringBuilder();
        validator.reportStats((name, value) -> stats.append(name).append('=').append(value).append('\n'));
        assertThat(stats.toString()).contains("ha.envelopes.rejected.version=2\n");
    }

    @Test
    void shouldRejectAnotherClusterCountingIt()
    {
        final EnvelopeValidator validator = new EnvelopeValidator(1, null);
        assertThat(validator.validate(new EnvelopeFactory(2, 1, 1, null).sessions(oneDelete(), 1)))
            .isEqualTo(EnvelopeValidator.Verdict.OTHER_CLUSTER);
        assertThat(validator.validate(new EnvelopeFactory(1, 1, 1, null).sessions(oneDelete(), 1)))
            .isEqualTo(EnvelopeValidator.Verdict.ACCEPTED);
        assertThat(validator.count(EnvelopeValidator.Verdict.OTHER_CLUSTER)).isEqualTo(1);
        assertThat(validator.count(EnvelopeValidator.Verdict.ACCEPTED)).isEqualTo(1);
    }

    @Test
    void shouldAcceptOnlyEnvelopesWhoseHmacMatchesTheClusterKey() throws Exception
    {
        final EnvelopeValidator validator = new EnvelopeValidator(0, KEY);
        final Envelope signed = new EnvelopeFactory(0, 1, 1, KEY).sessions(oneDelete(), 1);
        assertThat(signed.getHmac().size()).isEqualTo(32);

        assertThat(validator.validate(Envelope.parseFrom(signed.toByteArray())))
            .isEqualTo(EnvelopeValidator.Verdict.ACCEPTED);
        assertThat(validator.validate(signed.toBuilder().setSequence(2).build()))
            .isEqualTo(EnvelopeValidator.Verdict.BAD_HMAC);
        assertThat(validator.validate(new EnvelopeFactory(0, 1, 1, null).sessions(oneDelete(), 1)))
            .isEqualTo(EnvelopeValidator.Verdict.BAD_HMAC);
        assertThat(validator.validate(new EnvelopeFactory(0, 1, 1, "other".getBytes(StandardCharsets.UTF_8))
            .sessions(oneDelete(), 1))).isEqualTo(EnvelopeValidator.Verdict.BAD_HMAC);
        assertThat(validator.validate(signed.toBuilder().setHmac(ByteString.EMPTY).build()))
            .isEqualTo(EnvelopeValidator.Verdict.BAD_HMAC);
        assertThat(validator.count(EnvelopeValidator.Verdict.BAD_HMAC)).isEqualTo(4);
    }

    @Test
    void shouldRejectAnEnvelopeWithoutBody()
    {
        final Envelope empty = Envelope.newBuilder().setProtocolVersion(HaProtocol.VERSION).build();
        assertThat(new EnvelopeValidator(0, null).validate(empty)).isEqualTo(EnvelopeValidator.Verdict.NO_BODY);
    }
}
