import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code hasp-lock}: runs a command while holding a Hasp named lock, like {@code flock(1)} or {@code consul lock}.
 * A single-file program for Java 17's source launcher ({@code scripts/hasp-lock} starts it); it needs nothing but
 * the JDK.
 *
 * <ol>
 *   <li>Acquire {@code NAME} with {@code POST /v1/locks/NAME}, waiting at most {@code --timeout}. Busy past it: the
 *       command never runs, exit {@value #EXIT_BUSY}, and the message names the holder.</li>
 *   <li>Run the command with {@code HASP_LOCK_NAME}, {@code HASP_LOCK_ID} and {@code HASP_FENCING_TOKEN} added to its
 *       environment, standard streams inherited.</li>
 *   <li>Renew the lease every third of its length. A renewal answered 404 (the lease was lost: expired, or
 *       force-released by an operator), or no successful renewal before the lease ends, means the lock is no longer
 *       ours: the command gets SIGTERM (SIGKILL {@value #KILL_AFTER_SECONDS} s later if it is still running) and
 *       hasp-lock exits {@value #EXIT_LEASE_LOST}.</li>
 *   <li>When the command exits, release the lock and exit with the command's status.</li>
 *   <li>On SIGTERM or SIGINT, stop the command the same way, release the lock, and exit 143 or 130.</li>
 * </ol>
 */
public final class HaspLock {

    static final int EXIT_USAGE = 64;
    static final int EXIT_UNAVAILABLE = 69;
    static final int EXIT_BUSY = 75;
    static final int EXIT_AUTH = 77;
    static final int EXIT_LEASE_LOST = 79;
    static final int EXIT_NOT_RUNNABLE = 127;
    static final int KILL_AFTER_SECONDS = 10;

    private static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration MIN_LEASE = Duration.ofMillis(500);
    private static final Duration MAX_CALL = Duration.ofSeconds(10);
    private static final Duration MIN_CALL = Duration.ofMillis(100);
    private static final int MAX_RETRIES = 1_000_000;
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final String USAGE = "usage: HASP_URL=... HASP_TOKEN=... hasp-lock [--lease 30s] [--timeout 30s] "
            + "[--shared] NAME -- CMD [ARGS...]";

    private final Options options;
    private final String baseUrl;
    private final String token;
    private final HttpClient http;
    private final AtomicBoolean finished = new AtomicBoolean();
    private boolean released; // guarded by this
    private final AtomicBoolean leaseLost = new AtomicBoolean();
    private final Object startGuard = new Object();
    private boolean stopping;
    private volatile String lockId;
    private volatile Process child;
    private volatile long leaseEndsNanos;

    private HaspLock(Options options, String baseUrl, String token) {
        this.options = options;
        this.baseUrl = baseUrl;
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    public static void main(String[] args) {
        int status;
        try {
            Options options = Options.parse(args);
            String url = requireEnv("HASP_URL");
            String token = requireEnv("HASP_TOKEN");
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                throw new Failure(EXIT_USAGE, "HASP_URL must start with http:// or https://");
            }
            status = new HaspLock(options, url.replaceAll("/+$", ""), token).run();
        } catch (Failure f) {
            System.err.println("hasp-lock: " + f.getMessage());
            if (f.status == EXIT_USAGE) {
                System.err.println(USAGE);
            }
            status = f.status;
        }
        System.exit(status);
    }

    private static String requireEnv(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            throw new Failure(EXIT_USAGE, name + " is not set");
        }
        return value.trim();
    }

    private int run() {
        Map<String, Object> grant = acquire();
        lockId = (String) grant.get("lockId");
        leaseEndsNanos = System.nanoTime() + options.lease.toNanos();
        Runtime.getRuntime().addShutdownHook(new Thread(this::onSignal, "hasp-lock-signal"));
        ProcessBuilder builder = new ProcessBuilder(options.command).inheritIO();
        builder.environment().put("HASP_LOCK_NAME", options.name);
        builder.environment().put("HASP_LOCK_ID", lockId);
        builder.environment().put("HASP_FENCING_TOKEN", String.valueOf(grant.get("fencingToken")));
        synchronized (startGuard) {
            if (stopping) {
                // a signal came between the grant and the start: the shutdown hook releases the lock
                throw new Failure(EXIT_UNAVAILABLE, "stopped before the command started");
            }
            try {
                child = builder.start();
            } catch (IOException e) {
                release();
                finished.set(true);
                throw new Failure(EXIT_NOT_RUNNABLE, "cannot run " + options.command.get(0) + ": "
                        + e.getMessage());
            }
        }
        ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hasp-lock-renewer");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, options.lease.toMillis() / 3);
        renewer.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
        int status = waitForChild();
        renewer.shutdownNow();
        if (leaseLost.get()) {
            finished.set(true);
            System.err.println("hasp-lock: the lease of lock '" + options.name + "' was lost while the command ran; "
                    + "the command was sent SIGTERM (exit " + EXIT_LEASE_LOST + ")");
            return EXIT_LEASE_LOST;
        }
        release();
        finished.set(true);
        return status;
    }

    private int waitForChild() {
        while (true) {
            try {
                return child.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ lock calls

    private Map<String, Object> acquire() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", options.shared ? "shared" : "exclusive");
        body.put("timeoutMs", options.timeout.toMillis());
        body.put("maxRetries", MAX_RETRIES);
        body.put("leaseMs", options.lease.toMillis());
        HttpResponse<String> response = call("POST", lockPath(), Json.write(body),
                options.timeout.plus(MAX_CALL));
        int code = response.statusCode();
        if (code == 201) {
            return Json.object(response.body());
        }
        if (code == 409) {
            throw new Failure(EXIT_BUSY, "lock '" + options.name + "' not acquired within "
                    + Options.format(options.timeout) + ": " + holder(response.body()));
        }
        throw refused(code, response.body(), "acquire lock '" + options.name + "'");
    }

    private void renew() {
        if (finished.get() || leaseLost.get()) {
            return;
        }
        try {
            Map<String, Object> body = Map.of("leaseMs", options.lease.toMillis());
            long sent = System.nanoTime();
            HttpResponse<String> response = call("POST", lockPath() + "/" + lockId + "/renew", Json.write(body),
                    renewTimeout());
            if (response.statusCode() == 200) {
                leaseEndsNanos = sent + options.lease.toNanos();
                return;
            }
            if (response.statusCode() == 404) {
                loseLease("the service no longer knows this lease (expired or force-released)");
                return;
            }
            System.err.println("hasp-lock: renewing lock '" + options.name + "' answered HTTP "
                    + response.statusCode() + "; trying again");
        } catch (Failure f) {
            System.err.println("hasp-lock: renewing lock '" + options.name + "' failed: " + f.getMessage()
                    + "; trying again");
        }
        if (System.nanoTime() - leaseEndsNanos >= 0) {
            loseLease("no renewal succeeded before the lease ended");
        }
    }

    private void loseLease(String why) {
        if (finished.get() || !leaseLost.compareAndSet(false, true)) {
            return;
        }
        System.err.println("hasp-lock: lost lock '" + options.name + "': " + why + "; stopping the command");
        stopChild();
    }

    /**
     * Releases the lock once. Synchronized rather than a mere flag: when the main thread and the shutdown hook both
     * get here, the second waits for the first's call to finish, so the JVM cannot halt with the release unsent.
     */
    private synchronized void release() {
        if (lockId == null || released) {
            return;
        }
        released = true;
        try {
            HttpResponse<String> response = call("DELETE", lockPath() + "/" + lockId, null, MAX_CALL);
            if (response.statusCode() != 204) {
                System.err.println("hasp-lock: releasing lock '" + options.name + "' answered HTTP "
                        + response.statusCode() + " (the lease may have ended already)");
            }
        } catch (Failure f) {
            System.err.println("hasp-lock: releasing lock '" + options.name + "' failed: " + f.getMessage()
                    + "; the lease ends by itself");
        }
    }

    /** SIGTERM, SIGINT (or any other JVM exit before the end of {@link #run}): stop the command, release. */
    private void onSignal() {
        if (finished.get()) {
            return;
        }
        synchronized (startGuard) {
            stopping = true;
        }
        stopChild();
        if (!leaseLost.get()) {
            release();
        }
    }

    private void stopChild() {
        Process p = child;
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(KILL_AFTER_SECONDS, TimeUnit.SECONDS)) {
                System.err.println("hasp-lock: the command ignored SIGTERM for " + KILL_AFTER_SECONDS
                        + " s; sending SIGKILL");
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** A renewal may take until the lease ends (a slow answer in time still keeps the lock), at most MAX_CALL. */
    private Duration renewTimeout() {
        long left = Math.max(MIN_CALL.toNanos(), leaseEndsNanos - System.nanoTime());
        return Duration.ofNanos(Math.min(left, MAX_CALL.toNanos()));
    }

    private String lockPath() {
        return "/v1/locks/" + URLEncoder.encode(options.name, StandardCharsets.UTF_8);
    }

    private HttpResponse<String> call(String method, String path, String json, Duration timeout) {
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout)
                    .header("Authorization", "Bearer " + token).header("Accept", "application/json");
        } catch (IllegalArgumentException e) {
            throw new Failure(EXIT_USAGE, "HASP_URL is not a valid URL");
        }
        if (json == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new Failure(EXIT_UNAVAILABLE, "cannot connect to HASP_URL " + baseUrl);
        } catch (HttpTimeoutException e) {
            throw new Failure(EXIT_UNAVAILABLE, "no answer from " + baseUrl + " within " + Options.format(timeout));
        } catch (IOException e) {
            throw new Failure(EXIT_UNAVAILABLE, "cannot reach HASP_URL " + baseUrl + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(EXIT_UNAVAILABLE, "interrupted while calling " + baseUrl);
        }
    }

    private static Failure refused(int code, String body, String what) {
        String detail = detail(body);
        if (code == 401) {
            return new Failure(EXIT_AUTH, "HASP_TOKEN was refused (401): unknown, expired or revoked token");
        }
        if (code == 403) {
            return new Failure(EXIT_AUTH, "HASP_TOKEN may not " + what + " (403): it needs the write scope");
        }
        if (code == 400) {
            return new Failure(EXIT_USAGE, "cannot " + what + ": " + detail);
        }
        return new Failure(EXIT_UNAVAILABLE, "cannot " + what + ": HTTP " + code + (detail.isEmpty() ? "" : ": "
                + detail));
    }

    private static String detail(String body) {
        try {
            Object detail = Json.object(body).get("detail");
            return detail == null ? "" : detail.toString();
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    /** "held by pid 4242 on worker-1 since ... (exclusive, lease ends ...)", from a 409 problem body. */
    @SuppressWarnings("unchecked")
    private static String holder(String body) {
        Map<String, Object> problem;
        try {
            problem = Json.object(body);
        } catch (IllegalArgumentException e) {
            return "it is held by someone else";
        }
        if (problem.get("pid") == null) {
            return String.valueOf(problem.getOrDefault("detail", "it is held by someone else"));
        }
        StringBuilder out = new StringBuilder("held by pid ").append(problem.get("pid"))
                .append(" on ").append(problem.get("hostname")).append(" since ").append(problem.get("since"));
        if (problem.get("holder") instanceof Map) {
            Map<String, Object> holder = (Map<String, Object>) problem.get("holder");
            out.append(" (").append(holder.get("type"));
            if (holder.get("expiresAt") != null) {
                out.append(", lease ends ").append(holder.get("expiresAt"));
            }
            out.append(')');
        }
        return out.toString();
    }

    // ------------------------------------------------------------------------------------------------ arguments

    /** The parsed command line. */
    record Options(String name, Duration lease, Duration timeout, boolean shared, List<String> command) {

        static Options parse(String[] args) {
            Duration lease = DEFAULT_LEASE;
            Duration timeout = DEFAULT_TIMEOUT;
            boolean shared = false;
            String name = null;
            int i = 0;
            while (i < args.length && !args[i].equals("--")) {
                String arg = args[i];
                if (arg.equals("--lease") || arg.equals("--timeout")) {
                    if (i + 1 >= args.length) {
                        throw new Failure(EXIT_USAGE, arg + " needs a duration such as 30s");
                    }
                    Duration value = duration(arg, args[i + 1]);
                    if (arg.equals("--lease")) {
                        lease = value;
                    } else {
                        timeout = value;
                    }
                    i += 2;
                } else if (arg.equals("--shared")) {
                    shared = true;
                    i++;
                } else if (arg.startsWith("-")) {
                    throw new Failure(EXIT_USAGE, "unknown option " + arg);
                } else if (name == null) {
                    name = arg;
                    i++;
                } else {
                    throw new Failure(EXIT_USAGE, "one lock name only, then -- and the command (got '" + arg + "')");
                }
            }
            if (name == null) {
                throw new Failure(EXIT_USAGE, "a lock NAME is required");
            }
            if (!NAME.matcher(name).matches() || name.contains("..")) {
                throw new Failure(EXIT_USAGE, "invalid lock name '" + name
                        + "': [A-Za-z0-9][A-Za-z0-9._-]{0,127}, no '..'");
            }
            if (i + 1 >= args.length) {
                throw new Failure(EXIT_USAGE, "the command is missing: NAME -- CMD [ARGS...]");
            }
            if (lease.compareTo(MIN_LEASE) < 0) {
                throw new Failure(EXIT_USAGE, "--lease must be at least " + format(MIN_LEASE));
            }
            List<String> command = new ArrayList<>(List.of(args).subList(i + 1, args.length));
            return new Options(name, lease, timeout, shared, command);
        }

        static Duration duration(String option, String text) {
            Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new Failure(EXIT_USAGE, option + " '" + text + "' is not a duration such as 500ms, 30s, 5m, 1h");
            }
            long n;
            try {
                n = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                throw new Failure(EXIT_USAGE, option + " '" + text + "' is too large");
            }
            String unit = m.group(2) == null ? "s" : m.group(2);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
        }

        static String format(Duration d) {
            return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
        }
    }

    /** An outcome that ends hasp-lock with {@code status} and a message. */
    static final class Failure extends RuntimeException {
        final int status;

        Failure(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    // ------------------------------------------------------------------------------------------------ JSON

    /** Just enough JSON for the lock API's answers: objects, arrays, strings, numbers, booleans, null. */
    static final class Json {
        private final String text;
        private int pos;

        private Json(String text) {
            this.text = text;
        }

        @SuppressWarnings("unchecked")
        static Map<String, Object> object(String text) {
            Json json = new Json(text == null ? "" : text);
            Object value = json.value();
            json.skipSpace();
            if (!(value instanceof Map) || json.pos != json.text.length()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            return (Map<String, Object>) value;
        }

        static String write(Map<String, Object> members) {
            StringBuilder out = new StringBuilder("{");
            for (Map.Entry<String, Object> e : members.entrySet()) {
                if (out.length() > 1) {
                    out.append(',');
                }
                out.append('"').append(e.getKey()).append("\":");
                Object v = e.getValue();
                out.append(v instanceof String ? "\"" + v + "\"" : String.valueOf(v));
            }
            return out.append('}').toString();
        }

        private Object value() {
            skipSpace();
            if (pos >= text.length()) {
                throw new IllegalArgumentException("unexpected end of JSON");
            }
            char c = text.charAt(pos);
            if (c == '{') {
                return objectValue();
            }
            if (c == '[') {
                return arrayValue();
            }
            if (c == '"') {
                return stringValue();
            }
            if (text.startsWith("true", pos)) {
                pos += 4;
                return Boolean.TRUE;
            }
            if (text.startsWith("false", pos)) {
                pos += 5;
                return Boolean.FALSE;
            }
            if (text.startsWith("null", pos)) {
                pos += 4;
                return null;
            }
            return number();
        }

        private Map<String, Object> objectValue() {
            Map<String, Object> out = new LinkedHashMap<>();
            pos++;
            skipSpace();
            if (peek() == '}') {
                pos++;
                return out;
            }
            while (true) {
                skipSpace();
                String key = stringValue();
                skipSpace();
                expect(':');
                out.put(key, value());
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect('}');
                    return out;
                }
            }
        }

        private List<Object> arrayValue() {
            List<Object> out = new ArrayList<>();
            pos++;
            skipSpace();
            if (peek() == ']') {
                pos++;
                return out;
            }
            while (true) {
                out.add(value());
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect(']');
                    return out;
                }
            }
        }

        private String stringValue() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (pos < text.length()) {
                char c = text.charAt(pos++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                if (pos >= text.length()) {
                    break;
                }
                char e = text.charAt(pos++);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        if (pos + 4 > text.length()) {
                            throw new IllegalArgumentException("bad \\u escape in JSON");
                        }
                        out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> out.append(e);
                }
            }
            throw new IllegalArgumentException("unterminated JSON string");
        }

        private Object number() {
            int start = pos;
            while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
            String n = text.substring(start, pos);
            if (n.isEmpty()) {
                throw new IllegalArgumentException("unexpected character in JSON at " + start);
            }
            try {
                return n.contains(".") || n.contains("e") || n.contains("E") ? (Object) Double.parseDouble(n)
                        : (Object) Long.parseLong(n);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad JSON number " + n);
            }
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private char peek() {
            if (pos >= text.length()) {
                throw new IllegalArgumentException("unexpected end of JSON");
            }
            return text.charAt(pos);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw new IllegalArgumentException("expected '" + c + "' in JSON at " + pos);
            }
            pos++;
        }
    }
}
