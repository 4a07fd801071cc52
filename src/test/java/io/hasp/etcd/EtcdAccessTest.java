package io.hasp.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.google.protobuf.ByteString;

import io.hasp.etcd.api.PutRequest;
import io.hasp.etcd.api.RangeRequest;
import io.hasp.etcd.api.RequestOp;
import io.hasp.etcd.api.TxnRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.nio.NioEventLoopGroup;

/**
 * {@link EtcdClient} against a real etcd member that asks for all of it ({@link SecureEtcd}: TLS, client certificates,
 * {@code auth enable}), its auth tokens valid for {@value #TOKEN_TTL_SECONDS} s of disuse.
 */
@ExtendWith(EtcdRequired.class)
class EtcdAccessTest {

    private static final int TOKEN_TTL_SECONDS = 2;
    private static final NioEventLoopGroup LOOPS = new NioEventLoopGroup(1);
    private static final List<EtcdClient> CLIENTS = new ArrayList<>();
    private static SecureEtcd etcd;
    private static String password;
    private static Path dir;
    private static String endpoint;

    @BeforeAll
    static void startSecureEtcd() throws Exception {
        etcd = SecureEtcd.start(TOKEN_TTL_SECONDS);
        password = etcd.password;
        dir = etcd.file("ca.pem").getParent();
        endpoint = etcd.endpoint();
    }

    @AfterAll
    static void stop() throws Exception {
        CLIENTS.forEach(EtcdClient::close);
        LOOPS.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        if (etcd != null) {
            etcd.close();
        }
    }

    @Test
    void aUserOverTlsWithAClientCertificateWritesAndReadsItsNamespace() {
        EtcdClient c = client(access("hasp", password, true, true), Duration.ofSeconds(6));
        put(c, "/hasp/tls-check", "written over TLS");
        assertEquals("written over TLS", get(c, "/hasp/tls-check"));
    }

    @Test
    void anExpiredTokenIsReplacedWithoutFailingTheCall() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EtcdClient c = client(access("hasp", password, true, true), Duration.ofSeconds(6), registry);
        put(c, "/hasp/token-check", "one");
        assertEquals(1, registry.get("hasp.etcd.rtt").tag("op", "authenticate").timer().count());
        long idleSince = System.nanoTime();
        // time is the subject: the token must outlive its TTL unused (etcd extends a simple token on each use)
        Awaitility.await().pollDelay(Duration.ofSeconds(TOKEN_TTL_SECONDS + 2)).atMost(Duration.ofSeconds(30))
                .until(() -> System.nanoTime() - idleSince > TimeUnit.SECONDS.toNanos(TOKEN_TTL_SECONDS + 1));
        put(c, "/hasp/token-check", "two");
        assertEquals("two", get(c, "/hasp/token-check"));
        assertEquals(2, registry.get("hasp.etcd.rtt").tag("op", "authenticate").timer().count(),
                "the rejected token was replaced by a second authentication");
    }

    @Test
    void authenticationMovesOnFromAMemberThatIsDown() throws Exception {
        int nobody;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            nobody = s.getLocalPort();
        }
        EtcdClient c = EtcdClient.create(List.of("https://127.0.0.1:" + nobody, endpoint), LOOPS,
                Duration.ofSeconds(2), Duration.ofSeconds(6), new SimpleMeterRegistry(),
                access("hasp", password, true, true));
        CLIENTS.add(c);
        put(c, "/hasp/failover", "authenticated on the second member");
        assertEquals("authenticated on the second member", get(c, "/hasp/failover"));
    }

    @Test
    void aWrongPasswordFailsAtOnceWithEtcdsReasonAndWithoutThePassword() {
        String wrong = "not-" + password;
        EtcdClient c = client(access("hasp", wrong, true, true), Duration.ofSeconds(6));
        long start = System.nanoTime();
        EtcdException e = assertThrows(EtcdException.class, () -> get(c, "/hasp/anything"));
        assertTrue(e.getMessage().contains("authentication failed"), e.getMessage());
        assertFalse(e.getMessage().contains(wrong), "the message never shows the password");
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "not retried until the operation timeout");
    }

    @Test
    void withoutAUserTheClusterRefusesTheCall() {
        EtcdClient c = client(access(null, null, true, true), Duration.ofSeconds(3));
        EtcdException e = assertThrows(EtcdException.class, () -> put(c, "/hasp/no-user", "x"));
        assertTrue(e.getMessage().contains("permission denied") || e.getMessage().contains("user"), e.getMessage());
    }

    @Test
    void theUserGetsNothingOutsideItsNamespace() {
        EtcdClient c = client(access("hasp", password, true, true), Duration.ofSeconds(3));
        EtcdException e = assertThrows(EtcdException.class, () -> put(c, "/other/key", "x"));
        assertTrue(e.getMessage().contains("permission denied"), e.getMessage());
    }

    @Test
    void aMemberWhoseCertificateTheClientDoesNotTrustIsNotUsed() {
        // no CA file: the JVM's trust store, which does not know the test CA
        EtcdClient c = client(access("hasp", password, false, true), Duration.ofSeconds(2));
        EtcdException e = assertThrows(EtcdException.class, () -> get(c, "/hasp/anything"));
        assertTrue(e.getMessage().contains("unavailable"), e.getMessage());
    }

    @Test
    void withoutAClientCertificateTheMemberRefusesTheConnection() {
        EtcdClient c = client(access("hasp", password, true, false), Duration.ofSeconds(2));
        EtcdException e = assertThrows(EtcdException.class, () -> get(c, "/hasp/anything"));
        assertTrue(e.getMessage().contains("unavailable"), e.getMessage());
    }

    @Test
    void halfAPairOrTlsFilesForPlainEndpointsAreRefusedAtStart() {
        Path ca = dir.resolve("ca.pem");
        assertThrows(IllegalArgumentException.class, () -> new EtcdAccess(Optional.of("hasp"), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new EtcdAccess(Optional.empty(), Optional.empty(),
                Optional.of(ca), Optional.of(dir.resolve("client.pem")), Optional.empty()));
        EtcdAccess tls = new EtcdAccess(Optional.empty(), Optional.empty(), Optional.of(ca), Optional.empty(),
                Optional.empty());
        IllegalArgumentException plain = assertThrows(IllegalArgumentException.class, () -> EtcdClient.create(
                List.of("http://127.0.0.1:2379"), LOOPS, Duration.ofSeconds(1), Duration.ofSeconds(1),
                new SimpleMeterRegistry(), tls));
        assertTrue(plain.getMessage().contains("https://"), plain.getMessage());
        assertFalse(new EtcdAccess(Optional.of("hasp"), Optional.of(password), Optional.empty(), Optional.empty(),
                Optional.empty()).toString().contains(password), "toString never shows the password");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static EtcdAccess access(String user, String password, boolean ca, boolean clientCertificate) {
        return new EtcdAccess(Optional.ofNullable(user), Optional.ofNullable(password),
                ca ? Optional.of(dir.resolve("ca.pem")) : Optional.empty(),
                clientCertificate ? Optional.of(dir.resolve("client.pem")) : Optional.empty(),
                clientCertificate ? Optional.of(dir.resolve("client.key")) : Optional.empty());
    }

    private static EtcdClient client(EtcdAccess access, Duration operationTimeout) {
        return client(access, operationTimeout, new SimpleMeterRegistry());
    }

    private static EtcdClient client(EtcdAccess access, Duration operationTimeout, SimpleMeterRegistry registry) {
        EtcdClient c = EtcdClient.create(List.of(endpoint), LOOPS, Duration.ofSeconds(2), operationTimeout, registry,
                access);
        CLIENTS.add(c);
        return c;
    }

    private static void put(EtcdClient c, String key, String value) {
        c.txn(TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder()
                .setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8(value)))).build())
                .await().atMost(Duration.ofSeconds(30));
    }

    private static String get(EtcdClient c, String key) {
        return c.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).build())
                .await().atMost(Duration.ofSeconds(30)).getKvs(0).getValue().toStringUtf8();
    }
}
