package io.hasp.token;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;

import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.hasp.HaspConfig;
import io.hasp.lock.FileLockService;
import io.hasp.lock.LockOptions;
import io.hasp.storage.AtomicWriter;
import io.hasp.storage.BaseFileRepository;
import io.hasp.storage.DataDirectory;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The bootstrap admin token. It is {@code hasp.admin-token} ({@code HASP_ADMIN_TOKEN}) when set; otherwise the
 * content of {@code <data-dir>/admin.token}, read or generated at start-up under the file's lock
 * ({@code admin.token.lock}, as every data file), so replicas starting together agree on one token:
 * <ol>
 *   <li>take the exclusive lock of {@code admin.token};</li>
 *   <li>read the file; a token there (trimmed, not empty, no control characters, UTF-8) is the one;</li>
 *   <li>otherwise (absent, or empty or unreadable, as a power cut during an earlier write can leave it) generate a
 *       new token and write it with {@link AtomicWriter}: mode 0600 from the first byte, fsync, atomic rename,
 *       fsync of the directory, so the next start finds it whole;</li>
 *   <li>release the lock.</li>
 * </ol>
 * Only the file's location is logged, never the token. In memory only its SHA-256 is kept, compared in constant
 * time. A file that can be neither read nor replaced stops the start (there would be no admin at all).
 */
@Startup
@Singleton
public class AdminToken {

    /** Name of the token file inside the data directory. */
    static final String FILE_NAME = "admin.token";

    private static final Logger LOG = Logger.getLogger(AdminToken.class);
    /** Waiting for the file's lock past its own timeout: the lock call itself ends the wait on time. */
    private static final Duration AWAIT_MARGIN = Duration.ofSeconds(5);

    private final Optional<String> configured;
    private final Path file;
    private final FileLockService locks;
    private final AtomicWriter writer;
    private final LockOptions lockOptions;
    private byte[] digest;

    @Inject
    public AdminToken(HaspConfig config, DataDirectory dataDir, FileLockService locks, AtomicWriter writer) {
        this(config.adminToken(), dataDir.file(FILE_NAME), locks, writer,
                BaseFileRepository.lockOptions(config));
    }

    private AdminToken(Optional<String> configured, Path file, FileLockService locks, AtomicWriter writer,
                       LockOptions lockOptions) {
        this.configured = configured.filter(t -> !t.isBlank());
        this.file = file;
        this.locks = locks;
        this.writer = writer;
        this.lockOptions = lockOptions;
    }

    /** For tests without CDI: an admin token known up front. */
    public static AdminToken of(String token) {
        AdminToken admin = new AdminToken(Optional.of(token), null, null, null, null);
        admin.init();
        return admin;
    }

    @PostConstruct
    void init() {
        if (configured.isPresent()) {
            if (configured.get().length() < 16) {
                LOG.warn("the configured admin token is shorter than 16 characters; use a long random value");
            }
            digest = TokenSecrets.digest(configured.get());
            return;
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the data directory for the admin token file: " + e, e);
        }
        String token = locks.withLock(file, () -> Uni.createFrom().item(this::readOrGenerate)
                        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()), lockOptions)
                .await().atMost(lockOptions.timeout().plus(AWAIT_MARGIN));
        digest = TokenSecrets.digest(token);
    }

    /** Whether {@code token} is the admin token, in constant time. */
    public boolean matches(String token) {
        return token != null && MessageDigest.isEqual(digest, TokenSecrets.digest(token));
    }

    /** Steps 2 and 3 of the class contract; blocking, under the file's lock. */
    private String readOrGenerate() {
        Optional<String> existing = read();
        if (existing.isPresent()) {
            LOG.infof("admin token read from %s", file.toAbsolutePath());
            return existing.get();
        }
        boolean replacing = Files.exists(file);
        String token = TokenSecrets.format("admin", TokenSecrets.newSecret());
        writer.write(file, (token + "\n").getBytes(StandardCharsets.UTF_8), AtomicWriter.OWNER_ONLY);
        if (replacing) {
            LOG.warnf("the admin token file %s was empty or unreadable: generated a new admin token into it "
                    + "(mode 0600)", file.toAbsolutePath());
        } else {
            LOG.infof("generated the admin token into %s (mode 0600)", file.toAbsolutePath());
        }
        return token;
    }

    /** The token in the file; empty when the file is absent, empty, not UTF-8, unreadable, or holds no token. */
    private Optional<String> read() {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.warnf("cannot read the admin token file %s: %s", file.toAbsolutePath(), e.getClass().getSimpleName());
            return Optional.empty();
        }
        if (text.isEmpty() || text.chars().anyMatch(Character::isISOControl)) {
            return Optional.empty();
        }
        return Optional.of(text);
    }
}
