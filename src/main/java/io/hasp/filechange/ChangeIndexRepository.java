package io.hasp.filechange;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.type.TypeFactory;

import io.hasp.storage.ChangeLimits;
import io.hasp.storage.RecordKind;
import io.hasp.storage.RecordRepository;
import io.hasp.storage.RecordStores;
import io.hasp.storage.etcd.CollectionLayout;
import io.smallrye.mutiny.Uni;

/**
 * The derived index: {@code file-changes/index.json}, one file under one lock; in etcd, its head and one key per
 * path (the path in base64url), so that the index may grow past one etcd value and a merge writes only its paths.
 */
@Singleton
public class ChangeIndexRepository extends RecordRepository<ChangeIndex> {

    /** The id of the index, a singleton. */
    static final String ID = "index";

    /** The index. */
    public static final RecordKind<ChangeIndex> KIND = new RecordKind<>("file-changes/index", "index",
            ChangeIndex.class, true, false, null, new CollectionLayout<ChangeIndex, List<IndexEntry>>(
                    ChangeIndex.class, i -> new ChangeIndex(i.version(), i.updatedAt(), Map.of()), ChangeIndex::paths,
                    (head, paths) -> new ChangeIndex(head.version(), head.updatedAt(), paths),
                    TypeFactory.defaultInstance().constructCollectionType(List.class, IndexEntry.class), true));

    @Inject
    public ChangeIndexRepository(RecordStores stores, Clock clock) {
        super(stores, KIND, clock);
    }

    Uni<ChangeIndex> modify(Function<Optional<ChangeIndex>, ChangeIndex> modifier) {
        return modifyWithLock(ID, OptionalLong.empty(), modifier);
    }

    Uni<Optional<ChangeIndex>> get() {
        return read(ID);
    }

    /** Blocking read without the index's lock (a read sees one whole version), for a merge's size check. */
    Optional<ChangeIndex> getNow() {
        return readNow(ID);
    }

    /** How many paths one change of the index may write. */
    ChangeLimits limits() {
        return store.limits();
    }
}
