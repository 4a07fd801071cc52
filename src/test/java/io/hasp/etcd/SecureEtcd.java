package io.hasp.etcd;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

/**
 * One real etcd member that asks for all of it: TLS with a certificate of a test CA, client certificates
 * ({@code --client-cert-auth}), and authentication ({@code auth enable}) with user {@code hasp} allowed only the
 * {@code /hasp/} range. Certificates (EC P-256, PKCS#8 keys) come from {@code openssl}; the files are in
 * {@link #file(String)}: {@code ca.pem}, {@code client.pem}, {@code client.key} (CN {@code nobody}: etcd takes a
 * client certificate's CN as the user of a call without a token, and this CN is no user).
 */
public final class SecureEtcd implements AutoCloseable {

    /** The password of user {@code hasp}. */
    public final String password = "s3cret-" + Long.toHexString(new java.util.Random(11).nextLong());
    private final Path dir;
    private final String endpoint;
    private final Process etcd;

    private SecureEtcd(Path dir, String endpoint, Process etcd) {
        this.dir = dir;
        this.endpoint = endpoint;
        this.etcd = etcd;
    }

    /** Starts the member with auth tokens valid for {@code tokenTtlSeconds} of disuse, and enables auth. */
    public static SecureEtcd start(int tokenTtlSeconds) throws Exception {
        EtcdCluster.requireInstalled();
        Path dir = Files.createTempDirectory("hasp-etcd-tls-");
        run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=hasp-test-ca");
        certificate(dir, "server", "etcd", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n");
        certificate(dir, "client", "nobody", "extendedKeyUsage=clientAuth\n");
        int client = freePort();
        int peer = freePort();
        String endpoint = "https://127.0.0.1:" + client;
        String peerUrl = "http://127.0.0.1:" + peer;
        Files.createDirectories(Path.of("target", "etcd-logs"));
        Process etcd = new ProcessBuilder("etcd", "--name", "s0", "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", endpoint, "--advertise-client-urls", endpoint,
                "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
                "--initial-cluster", "s0=" + peerUrl,
                "--cert-file", dir.resolve("server.pem").toString(), "--key-file", dir.resolve("server.key").toString(),
                "--trusted-ca-file", dir.resolve("ca.pem").toString(), "--client-cert-auth",
                "--auth-token-ttl", String.valueOf(tokenTtlSeconds), "--log-level", "warn")
                .redirectErrorStream(true)
                .redirectOutput(Path.of("target", "etcd-logs", "secure-" + client + ".log").toFile()).start();
        SecureEtcd s = new SecureEtcd(dir, endpoint, etcd);
        try {
            Awaitility.await("the TLS member answers").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> s.etcdctl("endpoint", "health").contains("is healthy"));
            s.etcdctl("user", "add", "root", "--new-user-password=root-" + s.password);
            s.etcdctl("user", "add", "hasp", "--new-user-password=" + s.password);
            s.etcdctl("role", "add", "hasp-rw");
            s.etcdctl("role", "grant-permission", "hasp-rw", "--prefix=true", "readwrite", "/hasp/");
            s.etcdctl("user", "grant-role", "hasp", "hasp-rw");
            s.etcdctl("auth", "enable");
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** The member's client URL, {@code https://127.0.0.1:<port>}. */
    public String endpoint() {
        return endpoint;
    }

    /** A file of the test PKI: {@code ca.pem}, {@code client.pem}, {@code client.key}. */
    public Path file(String name) {
        return dir.resolve(name);
    }

    /** etcdctl before {@code auth enable} (it presents the server's certificate, whose CN is no user). */
    private String etcdctl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("etcdctl", "--endpoints", endpoint, "--cacert",
                file("ca.pem").toString(), "--cert", file("server.pem").toString(), "--key",
                file("server.key").toString()));
        cmd.addAll(List.of(args));
        return run(dir, cmd.toArray(String[]::new));
    }

    private static void certificate(Path dir, String name, String cn, String extensions) throws Exception {
        Files.writeString(dir.resolve(name + ".ext"), extensions);
        run(dir, "openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn);
        run(dir, "openssl", "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext");
    }

    private static String run(Path dir, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("ETCDCTL_API", "3");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(cmd[0] + " " + cmd[1] + " failed: " + out);
        }
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        etcd.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
    }
}
