package io.hasp.credential;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.hasp.HaspConfig;
import io.hasp.lock.FileLockService;
import io.hasp.lock.LockOptions;
import io.hasp.storage.AtomicWriter;
import io.hasp.storage.BaseFileRepository;
import io.hasp.storage.LimitExceededException;
import io.hasp.storage.Modification;
import io.hasp.storage.RecordNotFoundException;
import io.hasp.storage.SafeNames;
import io.smallrye.mutiny.Uni;

/**
 * The file credential backend (plan TASK-010): {@code <data-dir>/credentials.json}, mode 0600 from the moment its
 * temp file exists, changed only under its lock and written atomically. An import is one write: all or nothing.
 * Nothing here logs a value; the records' {@code toString} hide them too.
 */
@Singleton
public class CredentialRepository extends BaseFileRepository<CredentialStore> {

    /** The configuration key of {@link #maxCredentials}. */
    static final String MAX_CREDENTIALS_SETTING = "hasp.limits.credentials";

    private final Path file;
    private final int maxCredentials;

    @Inject
    public CredentialRepository(FileLockService locks, AtomicWriter writer, ObjectMapper mapper, HaspConfig config) {
        this(locks, writer, mapper, Clock.systemUTC(), config.dataDir(), lockOptions(config),
                config.limits().credentials());
    }

    /** @param maxCredentials most credentials the file holds ({@value #MAX_CREDENTIALS_SETTING}) */
    public CredentialRepository(FileLockService locks, AtomicWriter writer, ObjectMapper mapper, Clock clock,
                                Path dataDir, LockOptions lockOptions, int maxCredentials) {
        super(locks, writer, mapper, clock, CredentialStore.class, lockOptions);
        this.file = dataDir.resolve("credentials.json");
        this.maxCredentials = maxCredentials;
    }

    @Override
    protected void writeNow(Path target, CredentialStore record) {
        writer.writeJson(target, record, AtomicWriter.OWNER_ONLY);
    }

    /**
     * Sets credential {@code name}; answers whether it was created (rather than replaced). A new name past
     * {@code maxCredentials} is refused with {@link LimitExceededException}.
     */
    public Uni<Boolean> put(String name, CredentialRequest request) {
        SafeNames.require("credential name", name);
        return computeWithLock(file, OptionalLong.empty(), current -> {
            Map<String, StoredCredential> byName = byName(current.orElseGet(CredentialStore::empty));
            boolean created = !byName.containsKey(name);
            byName.put(name, new StoredCredential(name, request.value(), request.description(), now()));
            checkCount(byName.size());
            return Modification.write(new CredentialStore(0, new ArrayList<>(byName.values())), stored -> created);
        });
    }

    public Uni<List<CredentialInfo>> list() {
        return read(file).map(store -> store.orElseGet(CredentialStore::empty).credentials().stream()
                .map(StoredCredential::info).toList());
    }

    public Uni<Void> delete(String name) {
        SafeNames.require("credential name", name);
        return computeWithLock(file, OptionalLong.empty(), current -> {
            Map<String, StoredCredential> byName = byName(current.orElseGet(CredentialStore::empty));
            if (byName.remove(name) == null) {
                throw new RecordNotFoundException("credential " + name + " does not exist");
            }
            return Modification.<CredentialStore, Void>write(
                    new CredentialStore(0, new ArrayList<>(byName.values())), stored -> null);
        });
    }

    /**
     * Imports every entry in one atomic write; answers how many were imported. An import that would leave more than
     * {@code maxCredentials} in the file is refused whole with {@link LimitExceededException}.
     */
    public Uni<Integer> importAll(ImportRequest request) {
        return computeWithLock(file, OptionalLong.empty(), current -> {
            Map<String, StoredCredential> byName = request.mode() == ImportMode.REPLACE ? new LinkedHashMap<>()
                    : byName(current.orElseGet(CredentialStore::empty));
            Instant now = now();
            for (CredentialEntry entry : request.credentials()) {
                byName.put(entry.name(), new StoredCredential(entry.name(), entry.value(), entry.description(), now));
            }
            checkCount(byName.size());
            return Modification.write(new CredentialStore(0, new ArrayList<>(byName.values())),
                    stored -> request.credentials().size());
        });
    }

    /** Every credential with its value (admin export), read under a shared lock. */
    public Uni<List<CredentialEntry>> exportAll() {
        return readWithLock(file).map(store -> store.orElseGet(CredentialStore::empty).credentials().stream()
                .map(c -> new CredentialEntry(c.name(), c.value(), c.description())).toList());
    }

    /** Refuses a change that would leave more than {@code maxCredentials} in the file; nothing is written then. */
    private void checkCount(int count) {
        if (count > maxCredentials) {
            throw new LimitExceededException("credentials.json would hold " + count + " credentials, more than "
                    + MAX_CREDENTIALS_SETTING + " allows", MAX_CREDENTIALS_SETTING, maxCredentials);
        }
    }

    private static Map<String, StoredCredential> byName(CredentialStore store) {
        Map<String, StoredCredential> byName = new LinkedHashMap<>();
        store.credentials().forEach(c -> byName.put(c.name(), c));
        return byName;
    }
}
