package io.hasp.etcd;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.awaitility.Awaitility;

/**
 * A real etcd cluster for tests: {@code n} members started from the {@code etcd} binary as child processes, on free
 * loopback ports, each with a temporary data directory, logs under {@code target/etcd-logs}. Members can be killed
 * with {@code kill -9} and started again on the same data. Every wait is bounded.
 *
 * <p>Without the binary the etcd tests are skipped ({@link EtcdRequired}); with {@code HASP_REQUIRE_ETCD=1} they
 * fail instead ({@link #requireInstalled()}).
 */
public final class EtcdCluster implements AutoCloseable {

    /** The command that installs etcd on Debian. */
    public static final String INSTALL = "apt-get install -y etcd-server etcd-client";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern MEMBER_ID = Pattern.compile("\"member_id\"\\s*:\\s*\"?(\\d+)");
    private static final Pattern LEADER = Pattern.compile("\"leader\"\\s*:\\s*\"?(\\d+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final List<Member> members = new ArrayList<>();
    private final Path root;
    private final String label;

    private static final class Member {
        final String name;
        final int clientPort;
        final int peerPort;
        final Path dataDir;
        Process process;

        Member(String name, int clientPort, int peerPort, Path dataDir) {
            this.name = name;
            this.clientPort = clientPort;
            this.peerPort = peerPort;
            this.dataDir = dataDir;
        }

        String clientUrl() {
            return "http://127.0.0.1:" + clientPort;
        }

        String peerUrl() {
            return "http://127.0.0.1:" + peerPort;
        }
    }

    private EtcdCluster(String label, Path root) {
        this.label = label;
        this.root = root;
    }

    /** Whether the {@code etcd} binary can be run here. */
    public static boolean installed() {
        try {
            Process p = new ProcessBuilder("etcd", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Whether etcd tests must run (and fail without etcd) rather than be skipped: {@code HASP_REQUIRE_ETCD=1}. */
    public static boolean required() {
        return "1".equals(System.getenv("HASP_REQUIRE_ETCD"));
    }

    /** Fails with the install command when etcd is missing. */
    public static void requireInstalled() {
        if (!installed()) {
            throw new IllegalStateException("etcd is not installed (" + INSTALL + ")");
        }
    }

    /** Starts {@code size} members and waits until the cluster has a leader. */
    public static EtcdCluster start(String label, int size) throws IOException {
        requireInstalled();
        Path root = Files.createTempDirectory("hasp-etcd-" + label + "-");
        EtcdCluster cluster = new EtcdCluster(label, root);
        for (int i = 0; i < size; i++) {
            int[] ports = freePorts(2);
            cluster.members.add(new Member("m" + i, ports[0], ports[1], root.resolve("m" + i)));
        }
        String initial = cluster.members.stream().map(m -> m.name + "=" + m.peerUrl())
                .collect(Collectors.joining(","));
        String token = "hasp-test-" + UUID.randomUUID();
        try {
            for (Member m : cluster.members) {
                cluster.launch(m, initial, token);
            }
            cluster.awaitHealthy();
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private void launch(Member m, String initialCluster, String token) throws IOException {
        Path logs = Path.of("target", "etcd-logs");
        Files.createDirectories(logs);
        m.process = new ProcessBuilder(List.of("etcd", "--name", m.name, "--data-dir", m.dataDir.toString(),
                "--listen-client-urls", m.clientUrl(), "--advertise-client-urls", m.clientUrl(),
                "--listen-peer-urls", m.peerUrl(), "--initial-advertise-peer-urls", m.peerUrl(),
                "--initial-cluster", initialCluster, "--initial-cluster-state", "new",
                "--initial-cluster-token", token, "--log-level", "warn"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        logs.resolve(label + "-" + m.name + "-" + m.clientPort + ".log").toFile()))
                .start();
    }

    private String initialCluster() {
        return members.stream().map(m -> m.name + "=" + m.peerUrl()).collect(Collectors.joining(","));
    }

    /** The client URLs, comma-separated, as {@code hasp.etcd.endpoints} takes them. */
    public String endpoints() {
        return members.stream().map(Member::clientUrl).collect(Collectors.joining(","));
    }

    public int size() {
        return members.size();
    }

    /** Waits until every running member answers {@code /health} with a leader. */
    public void awaitHealthy() {
        Awaitility.await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(() -> members.stream().filter(m -> m.process != null && m.process.isAlive())
                        .allMatch(m -> healthy(m.clientUrl())));
    }

    /** Index of the member the others follow, asked of a running member. */
    public int leader() {
        return Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(this::findLeader, i -> i >= 0);
    }

    private int findLeader() throws IOException, InterruptedException {
        for (int i = 0; i < members.size(); i++) {
            Member m = members.get(i);
            if (m.process == null || !m.process.isAlive()) {
                continue;
            }
            String status = post(m.clientUrl() + "/v3/maintenance/status", "{}");
            Matcher self = MEMBER_ID.matcher(status);
            Matcher leader = LEADER.matcher(status);
            if (self.find() && leader.find() && self.group(1).equals(leader.group(1))) {
                return i;
            }
        }
        return -1;
    }

    /** Kills member {@code i} the way {@code kill -9} does. */
    public void kill9(int i) throws InterruptedException {
        Process p = members.get(i).process;
        p.destroyForcibly();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            throw new IllegalStateException("etcd member did not die");
        }
    }

    /** Kills every member. */
    public void kill9All() throws InterruptedException {
        for (int i = 0; i < members.size(); i++) {
            kill9(i);
        }
    }

    /** Starts member {@code i} again on its data directory. */
    public void restart(int i) throws IOException {
        Member m = members.get(i);
        if (m.process != null && m.process.isAlive()) {
            throw new IllegalStateException("member " + m.name + " is running");
        }
        launch(m, initialCluster(), "unused-with-existing-data");
    }

    /** Starts every member that is down again and waits for a leader. */
    public void restartAll() throws IOException {
        for (int i = 0; i < members.size(); i++) {
            if (members.get(i).process == null || !members.get(i).process.isAlive()) {
                restart(i);
            }
        }
        awaitHealthy();
    }

    private static boolean healthy(String clientUrl) {
        try {
            return get(clientUrl + "/health").contains("\"true\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static String post(String url, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0);
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }

    @Override
    public void close() {
        for (Member m : members) {
            if (m.process != null && m.process.isAlive()) {
                m.process.destroyForcibly();
                try {
                    m.process.waitFor(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is not a test failure
        }
    }
}
