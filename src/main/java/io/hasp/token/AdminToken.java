package io.hasp.token;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Optional;

import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.hasp.HaspConfig;
import io.hasp.lock.InternalFiles;
import io.hasp.storage.AtomicWriter;
import io.quarkus.runtime.Startup;

/**
 * The bootstrap admin token. It is {@code hasp.admin-token} ({@code HASP_ADMIN_TOKEN}) when set; otherwise the
 * content of {@code <data-dir>/admin.token}, generated at the first start:
 * <ol>
 *   <li>write a new token into a temp file created with mode 0600;</li>
 *   <li>hard-link it to {@code admin.token}: {@code link(2)} fails when the name exists, so when several replicas
 *       start at once exactly one token wins and every replica reads that one;</li>
 *   <li>remove the temp name and read {@code admin.token}.</li>
 * </ol>
 * Only the file's location is logged, never the token. In memory only its SHA-256 is kept, compared in constant
 * time.
 */
@Startup
@Singleton
public class AdminToken {

    private static final Logger LOG = Logger.getLogger(AdminToken.class);

    private final HaspConfig config;
    private byte[] digest;

    @Inject
    public AdminToken(HaspConfig config) {
        this.config = config;
    }

    /** For tests without CDI: an admin token known up front. */
    public static AdminToken of(String token) {
        AdminToken admin = new AdminToken(null);
        admin.digest = TokenSecrets.digest(token);
        return admin;
    }

    @PostConstruct
    void init() {
        Optional<String> configured = config.adminToken().filter(t -> !t.isBlank());
        if (configured.isPresent()) {
            if (configured.get().length() < 16) {
                LOG.warn("the configured admin token is shorter than 16 characters; use a long random value");
            }
            digest = TokenSecrets.digest(configured.get());
            return;
        }
        Path file = config.dataDir().resolve("admin.token");
        try {
            digest = TokenSecrets.digest(loadOrGenerate(file));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read or create the admin token file: " + e, e);
        }
    }

    /** Whether {@code token} is the admin token, in constant time. */
    public boolean matches(String token) {
        return token != null && MessageDigest.isEqual(digest, TokenSecrets.digest(token));
    }

    private static String loadOrGenerate(Path file) throws IOException {
        if (!Files.exists(file)) {
            Files.createDirectories(file.toAbsolutePath().getParent());
            String token = TokenSecrets.format("admin", TokenSecrets.newSecret());
            Path temp = InternalFiles.tempFor(file);
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(AtomicWriter.OWNER_ONLY));
            try {
                Files.writeString(temp, token + "\n", StandardCharsets.UTF_8);
                Files.createLink(file, temp);
                LOG.infof("generated the admin token into %s (mode 0600)", file.toAbsolutePath());
            } catch (FileAlreadyExistsException e) {
                // Another replica won the race; its token is the one.
            } finally {
                Files.deleteIfExists(temp);
            }
        } else {
            LOG.infof("admin token read from %s", file.toAbsolutePath());
        }
        String token = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (token.isEmpty()) {
            throw new IOException("admin token file is empty");
        }
        return token;
    }
}
