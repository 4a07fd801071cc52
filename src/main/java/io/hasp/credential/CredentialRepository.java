package io.hasp.credential;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BiConsumer;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.hasp.HaspConfig;
import io.hasp.storage.EntryImport;
import io.hasp.storage.LimitExceededException;
import io.hasp.storage.Modification;
import io.hasp.storage.RecordConflictException;
import io.hasp.storage.RecordKind;
import io.hasp.storage.RecordNotFoundException;
import io.hasp.storage.RecordRepository;
import io.hasp.storage.RecordStores;
import io.hasp.storage.SafeNames;
import io.hasp.storage.etcd.CollectionLayout;
import io.smallrye.mutiny.Uni;

/**
 * Credentials, one record of them all. On files: {@code <data-dir>/credentials.json}, mode 0600 from the moment its
 * temp file exists, changed only under its lock and written atomically, so an import is one write: all or nothing.
 * In etcd: one key per credential, its value sealed with AES-GCM under {@code hasp.credentials.key}; an import is one
 * transaction when it fits one (split into several otherwise, see {@link #importAll}). Nothing here logs a value;
 * the records' {@code toString} hide them too.
 */
@Singleton
public class CredentialRepository extends RecordRepository<CredentialStore> {

    /** The configuration key of {@link #maxCredentials}. */
    static final String MAX_CREDENTIALS_SETTING = "hasp.limits.credentials";

    /** The id of the credential record, a singleton. */
    static final String ID = "credentials";

    /** The credentials: a secret kind (mode 0600 on files, sealed entries in etcd). */
    public static final RecordKind<CredentialStore> KIND = new RecordKind<>(ID, "credentials",
            CredentialStore.class, true, true, null, CollectionLayout.of(CredentialStore.class,
                    c -> new CredentialStore(c.version(), List.of()), CredentialRepository::byName,
                    (head, byName) -> new CredentialStore(head.version(), new ArrayList<>(byName.values())),
                    StoredCredential.class));

    private final int maxCredentials;

    @Inject
    public CredentialRepository(RecordStores stores, Clock clock, HaspConfig config) {
        super(stores, KIND, clock);
        this.maxCredentials = config.limits().credentials();
    }

    /**
     * Sets credential {@code name}; answers whether it was created (rather than replaced). A new name past
     * {@code maxCredentials} is refused with {@link LimitExceededException}.
     */
    public Uni<Boolean> put(String name, CredentialRequest request) {
        SafeNames.require("credential name", name);
        return computeWithLock(ID, OptionalLong.empty(), current -> {
            Map<String, StoredCredential> byName = byName(current.orElseGet(CredentialStore::empty));
            boolean created = !byName.containsKey(name);
            byName.put(name, new StoredCredential(name, request.value(), request.description(), now()));
            checkCount(byName.size());
            return Modification.write(new CredentialStore(0, new ArrayList<>(byName.values())), stored -> created);
        });
    }

    public Uni<List<CredentialInfo>> list() {
        return read(ID).map(store -> store.orElseGet(CredentialStore::empty).credentials().stream()
                .map(StoredCredential::info).toList());
    }

    public Uni<Void> delete(String name) {
        SafeNames.require("credential name", name);
        return computeWithLock(ID, OptionalLong.empty(), current -> {
            Map<String, StoredCredential> byName = byName(current.orElseGet(CredentialStore::empty));
            if (byName.remove(name) == null) {
                throw new RecordNotFoundException("credential " + name + " does not exist");
            }
            return Modification.<CredentialStore, Void>write(
                    new CredentialStore(0, new ArrayList<>(byName.values())), stored -> null);
        });
    }

    /**
     * Imports every entry; answers how many were imported. All or nothing: one change (one atomic write on files, one
     * transaction in etcd) when the store takes it whole, else slices undone on a failure ({@link EntryImport}). An
     * import that would leave more than {@code maxCredentials} is refused whole with {@link LimitExceededException}.
     */
    public Uni<Integer> importAll(ImportRequest request) {
        Instant now = now();
        Map<String, StoredCredential> puts = new LinkedHashMap<>();
        for (CredentialEntry entry : request.credentials()) {
            puts.put(entry.name(), new StoredCredential(entry.name(), entry.value(), entry.description(), now));
        }
        return restore(puts, request.mode() == ImportMode.REPLACE, (name, existing) -> { })
                .map(EntryImport.Done::count);
    }

    /**
     * Stores {@code credentials} as they are (an admin import): each replaces the credential of its name, or, unless
     * {@code replace}, is refused with {@link RecordConflictException} when one exists. All or nothing as
     * {@link #importAll}; the answer can undo it.
     */
    public Uni<EntryImport.Done> restoreAll(List<StoredCredential> credentials, boolean replace) {
        Map<String, StoredCredential> puts = new LinkedHashMap<>();
        credentials.forEach(c -> puts.put(c.name(), c));
        return restore(puts, false, (name, existing) -> {
            if (!replace && existing.isPresent()) {
                throw new RecordConflictException("credential " + name + " exists already");
            }
        });
    }

    private Uni<EntryImport.Done> restore(Map<String, StoredCredential> puts, boolean replaceAll,
                                 BiConsumer<String, Optional<StoredCredential>> check) {
        return new EntryImport<>(store, ID, CredentialRepository::byName,
                (record, byName) -> new CredentialStore(0, new ArrayList<>(byName.values())), CredentialStore.empty())
                .apply(puts, replaceAll, check, byName -> checkCount(byName.size()));
    }

    /** Every credential as stored, value and time included (admin export). */
    public Uni<List<StoredCredential>> storedAll() {
        return read(ID).map(store -> store.orElseGet(CredentialStore::empty).credentials());
    }

    /** Every credential with its value (admin export). */
    public Uni<List<CredentialEntry>> exportAll() {
        return read(ID).map(store -> store.orElseGet(CredentialStore::empty).credentials().stream()
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
