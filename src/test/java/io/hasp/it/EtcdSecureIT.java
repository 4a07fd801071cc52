package io.hasp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.hasp.etcd.EtcdRequired;
import io.hasp.etcd.SecureEtcd;

/**
 * The packaged service on an etcd member that asks for TLS, a client certificate and a password
 * ({@link SecureEtcd}), configured through {@code hasp.etcd.user}, {@code hasp.etcd.password} and
 * {@code hasp.etcd.tls.*}: it becomes ready, lends a named lock, keeps a queue, and never logs the password.
 */
@Timeout(value = 180)
@ExtendWith(EtcdRequired.class)
class EtcdSecureIT {

    @TempDir
    Path data;

    @Test
    void theServiceWorksOnAClusterWithTlsClientCertificatesAndAuth() throws Exception {
        try (SecureEtcd etcd = SecureEtcd.start(300)) {
            int port = HaspProcess.freePort();
            HaspProcess hasp = HaspProcess.start("secure-etcd", data, port, List.of(
                    "-Dhasp.admin-token=" + HaspProcess.ADMIN_TOKEN, "-Dhasp.backend=etcd",
                    "-Dhasp.etcd.endpoints=" + etcd.endpoint(), "-Dhasp.etcd.user=hasp",
                    "-Dhasp.etcd.password=" + etcd.password,
                    "-Dhasp.etcd.tls.ca-file=" + etcd.file("ca.pem"),
                    "-Dhasp.etcd.tls.cert-file=" + etcd.file("client.pem"),
                    "-Dhasp.etcd.tls.key-file=" + etcd.file("client.key"),
                    "-Dhasp.credentials.key=aXQta2V5LW9mLXRoaXJ0eS10d28tYnl0ZXMtISEhISE="));
            try {
                JsonNode grant = hasp.call(201, "POST", "/v1/locks/secure", Map.of("leaseMs", 5000));
                assertTrue(grant.get("fencingToken").asLong() > 0, grant.toString());
                hasp.call(204, "DELETE", "/v1/locks/secure/" + grant.get("lockId").asText(), null);
                hasp.call(201, "POST", "/v1/queues", Map.of("id", "secure", "name", "over TLS"));
                hasp.call(201, "POST", "/v1/queues/secure/commands", Map.of("command", "c1"));
                assertEquals(1, hasp.call(200, "GET", "/v1/queues/secure", null).get("commands").size());
            } finally {
                hasp.close();
            }
            String log = Files.readString(Path.of("target", "it-logs", "secure-etcd-" + port + ".log"));
            assertFalse(log.contains(etcd.password), "the etcd password never reaches the log");
            assertTrue(log.contains("etcd"), "the log is the replica's");
        }
    }
}
