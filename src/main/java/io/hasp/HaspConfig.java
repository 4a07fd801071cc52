package io.hasp;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * The whole configuration of Hasp, one tree under the {@code hasp} prefix. Every default is written here once;
 * environment variables follow Quarkus' mapping ({@code hasp.lock.timeout} is {@code HASP_LOCK_TIMEOUT}).
 */
@ConfigMapping(prefix = "hasp")
public interface HaspConfig {

    /** Directory that holds every record, lock file and fencing counter. Created at start-up when missing. */
    @WithDefault("./data")
    Path dataDir();

    /**
     * Bootstrap admin token. When absent, one is generated at first start into {@code <data-dir>/admin.token}
     * (mode 0600) and only its location is logged.
     */
    Optional<String> adminToken();

    /**
     * Where named locks ({@code /v1/locks/**}) and every record (queues, bookmarks, groups, tokens, the file-change
     * index, credentials) live: {@code file} (lock files and record files under the data directory, shared by
     * replicas on one volume) or {@code etcd} (keys, leases and transactions of the etcd cluster at
     * {@code hasp.etcd.endpoints}; replicas share nothing but that cluster, and nothing of the records is written to
     * the data directory).
     */
    @WithDefault("file")
    Backend backend();

    /** Credentials at rest. */
    Credentials credentials();

    /** The etcd cluster, used only when {@code hasp.backend=etcd}. */
    Etcd etcd();

    /** Lock acquisition and the lock-file protocol. */
    Lock lock();

    /** Leases of named locks lent over HTTP. */
    Lease lease();

    /** The scheduled sweeper. */
    Sweep sweep();

    /** Imports ({@code POST /v1/admin/import}). */
    @WithName("import")
    ImportSettings importSettings();

    /** Readiness thresholds. */
    Health health();

    /** HTTP limits. */
    Http http();

    /** How record changes are committed: group commit, journal, cache. */
    Records records();

    /** Size caps of records, so that no record file grows without bound. */
    Limits limits();

    /** The backends of named locks and records. */
    enum Backend {
        /** Lock files and record files under the data directory. */
        FILE,
        /** Keys, leases and transactions of an etcd v3 cluster. */
        ETCD
    }

    interface Credentials {
        /**
         * The AES key (16, 24 or 32 bytes, in base64) that encrypts credential values at rest in etcd (AES-GCM), the
         * same on every replica; required with {@code hasp.backend=etcd}, where Hasp refuses to start without it.
         * Make one with {@code openssl rand -base64 32}. Unused with {@code file}, where {@code credentials.json} is
         * readable by its owner only (mode 0600).
         */
        Optional<String> key();
    }

    interface Etcd {
        /**
         * Client URLs of the cluster's members, comma-separated {@code http://host:port}; required with
         * {@code hasp.backend=etcd}. Every call goes to one member and moves on to the next when that one cannot
         * be reached or answers that it has no leader. {@code https://} endpoints are reached over TLS
         * ({@code hasp.etcd.tls.*}).
         */
        Optional<List<String>> endpoints();

        /**
         * The etcd user Hasp authenticates as, on a cluster with {@code etcdctl auth enable}; with
         * {@code hasp.etcd.password}. It needs read and write permission on the namespace's key range.
         */
        Optional<String> user();

        /** The password of {@code hasp.etcd.user}; never logged. Prefer the environment variable or a secret. */
        Optional<String> password();

        /** Files for {@code https://} endpoints. */
        Tls tls();

        interface Tls {
            /** PEM file of the CA(s) that signed the members' certificates; without it, the JVM's trust store. */
            Optional<java.nio.file.Path> caFile();

            /**
             * PEM certificate (chain) Hasp presents to members started with {@code --client-cert-auth}; with
             * {@code key-file}.
             */
            Optional<java.nio.file.Path> certFile();

            /** The client certificate's private key, PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). */
            Optional<java.nio.file.Path> keyFile();
        }

        /** Prefix of every key Hasp writes; several Hasp deployments can share one cluster under different ones. */
        @WithDefault("/hasp/")
        String namespace();

        /** Deadline of one call on one member; past it the call is tried on the next member. */
        @WithDefault("2s")
        Duration requestTimeout();

        /**
         * Longest time one operation keeps trying, member after member, with a short backoff between tries, before
         * it is answered 503: long enough to ride out a leader election (about a second with etcd's defaults).
         */
        @WithDefault("6s")
        Duration operationTimeout();

        /**
         * Longest readiness probe: the probe is DOWN when a linearizable read (which needs a quorum) has not been
         * answered by then.
         */
        @WithDefault("3s")
        Duration readinessTimeout();

        /**
         * What a release does with the lease of the grant once the guarded transaction has deleted its key: revoke it
         * ({@code true}, in the background, after the answer) or keep it for this replica's next grant of the same
         * length ({@code false}), which saves etcd a lease revocation and a lease grant (two quorum writes) per lock.
         * docs/locking.md gives the measured difference.
         */
        @WithDefault("true")
        boolean revokeOnRelease();

        /**
         * Most operations the cluster takes in one transaction (etcd's {@code --max-txn-ops}, 128 by default): record
         * changes are split, or refused with 422, to fit it. Raise it together with the cluster's setting.
         */
        @WithDefault("128")
        int maxTxnOps();

        /**
         * Largest request the cluster takes, in bytes (etcd's {@code --max-request-bytes}, 1.5 MiB by default): a
         * record change that would need more is refused with 422. Raise it together with the cluster's setting.
         */
        @WithDefault("1572864")
        long maxRequestBytes();
    }

    interface Lock {
        /** Longest wait for a lock before giving up with reason {@code timeout}. */
        @WithDefault("30s")
        Duration timeout();

        /** First wait between two attempts; later waits double with jitter up to {@link #retryCap()}. */
        @WithDefault("100ms")
        Duration retryInterval();

        /** Attempts that find the lock busy before giving up with reason {@code locked}. */
        @WithDefault("10")
        int maxRetries();

        /** Longest wait between two attempts, whatever the backoff says. */
        @WithDefault("2s")
        Duration retryCap();

        /**
         * Heartbeat silence after which a lock held from another host is stale, measured on this process' own
         * clock. Holders refresh their heartbeat every fifth of this, so a holder must miss four heartbeats in a
         * row (a long GC pause, a hung disk) before anyone may break its lock; ten seconds bounds how long a
         * crashed remote holder blocks everyone. Holders on this host are judged by their process instead.
         */
        @WithDefault("10s")
        Duration staleAfter();

        /**
         * The plan's "log a warning and proceed without the lock" fallback. Off by default: turning it on
         * gives up exclusive control whenever the lock cannot be had.
         */
        @WithDefault("false")
        boolean proceedWithoutLockOnFailure();
    }

    interface Lease {
        /** Lease of a named lock when the request names none. */
        @WithName("default")
        @WithDefault("30s")
        Duration defaultLease();

        /** Longest lease a request may ask for; more is refused with 400. */
        @WithDefault("10m")
        Duration max();
    }

    interface Sweep {
        /** Interval of the sweeper that removes stale locks, expired leases and claims, and orphaned temp files. */
        @WithDefault("5s")
        String interval();
    }

    interface ImportSettings {
        /**
         * Silence of a running import's heartbeat after which its intent is taken for the intent of a dead process
         * and rolled back by the sweeper (the import refreshes it six times as often).
         */
        @WithDefault("30s")
        Duration staleAfter();
    }

    interface Health {
        /** Readiness is DOWN while the data directory's file system has less free space than this, in bytes. */
        @WithDefault("67108864")
        long minFreeBytes();
    }

    interface Http {
        /** Largest request body accepted, in bytes; more is refused with 413. */
        @WithDefault("1048576")
        long maxBodyBytes();
    }

    interface Records {
        /**
         * How long a replica keeps a record's lock after its last change, so that the next change (a client's next
         * request) finds it held: its change is then one journal append, without a lock-file round trip. Ended at
         * once when another process or another waiter asks for the record.
         */
        @WithDefault("10ms")
        Duration linger();

        /** Most concurrent changes of one record made durable by one write and one fsync. */
        @WithDefault("256")
        int batchMax();

        /** Most request bytes in one such batch. */
        @WithDefault("1048576")
        long batchMaxBytes();

        /**
         * A record left with changes in its journal (the lock file parked for other replicas) is folded into its file
         * after this much quiet, so that tools that read only the file see every change.
         */
        @WithDefault("1s")
        Duration compactAfterIdle();

        /** Records of each kind whose last read copy a replica keeps in memory (an unchanged record is not re-read). */
        @WithDefault("512")
        int cacheSize();
    }

    /**
     * Caps on how large a record may grow. A change that would pass one is refused with 422 ({@code limit-exceeded})
     * and writes nothing; changes that do not grow the record (updates, claims, removals) are always accepted.
     */
    interface Limits {
        /**
         * Most commands one queue holds, whatever their status; appending more is refused until commands are
         * removed. A hundred thousand leaves room for benchmarks and bursts while a full queue file stays in the tens
         * of megabytes (an append writes a journal entry; folding the journal rewrites the file).
         */
        @WithDefault("100000")
        int queueCommands();

        /**
         * Most entries of the file-change index ({@code file-changes/index.json}), one per path and session that
         * changed it. A merge that would add entries past it is refused; changes of paths a session already has add
         * none. Checked before the merge: concurrent merges of other sessions may pass it by their own batch.
         */
        @WithDefault("200000")
        int fileChangeIndexEntries();

        /** Most credentials in {@code credentials.json}; a put of a new name or an import past it is refused. */
        @WithDefault("10000")
        int credentials();
    }
}
