package io.hasp.lease;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.hasp.etcd.EtcdClient;
import io.hasp.etcd.api.KeyValue;
import io.hasp.http.ProblemException;
import io.hasp.lock.LockHolder;
import io.hasp.lock.LockResult;
import io.smallrye.mutiny.Uni;

/**
 * Who holds named locks in etcd, as status answers and busy answers show it: the holders' keys ({@link EtcdQueue}),
 * their values, and {@code expiresAt} from their leases' remaining TTL. Never a lock id.
 */
record EtcdHolders(EtcdClient etcd, EtcdQueue queue, ObjectMapper json) {

    /** The holders among the keys of one name, oldest first, each with its expiry (one lease TTL read each). */
    Uni<List<LockHolder>> of(List<KeyValue> keysOfName) {
        List<KeyValue> holders = queue.holders(keysOfName);
        if (holders.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return Uni.join().all(holders.stream().map(this::withExpiry).toList()).andFailFast();
    }

    /** The holder of a key, its {@code expiresAt} from the lease's remaining TTL (absent if it just ended). */
    Uni<LockHolder> withExpiry(KeyValue kv) {
        Instant asked = Instant.now();
        return etcd.timeToLive(kv.getLease()).map(left -> {
            EtcdGrantValue v = EtcdGrantValue.decode(json, kv.getValue());
            Optional<Instant> expires = left > 0 ? Optional.of(asked.plusSeconds(left)) : Optional.empty();
            return new LockHolder(v.type(), v.pid(), v.hostname(), v.acquiredAt(),
                    OptionalLong.of(kv.getCreateRevision()), expires);
        });
    }

    /** The holder of {@code name} now (its oldest key), or empty when there is none or it cannot be read. */
    Uni<Optional<LockHolder>> current(String name) {
        return etcd.range(queue.head(name))
                .chain(r -> r.getKvsCount() == 0 ? Uni.createFrom().item(Optional.<LockHolder>empty())
                        : withExpiry(r.getKvs(0)).map(Optional::of))
                .onFailure().recoverWithItem(Optional.empty());
    }

    /** The 409 answer of an acquisition that gave up: {@code timeout} or {@code locked}, with the holder. */
    static ProblemException refused(LockResult.Reason reason, Optional<LockHolder> holder) {
        Map<String, Object> extras = new LinkedHashMap<>();
        holder.ifPresent(h -> {
            extras.put("pid", h.pid());
            extras.put("hostname", h.hostname());
            extras.put("since", h.since().truncatedTo(ChronoUnit.MILLIS).toString());
            extras.put("holder", LockStatus.Holder.of(h));
        });
        String detail = reason == LockResult.Reason.TIMEOUT
                ? "the lock was still held when the timeout passed" : "the lock is held by someone else";
        return new ProblemException(409, reason.wireName(),
                detail + holder.map(h -> " (" + h.describe() + ")").orElse(""), extras, Map.of());
    }
}
