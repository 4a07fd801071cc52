package io.hasp.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Files;
import java.time.Duration;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.hasp.etcd.EtcdClient;
import io.hasp.etcd.EtcdProfile;
import io.hasp.etcd.api.RangeRequest;
import io.hasp.etcd.api.RangeResponse;
import io.hasp.etcd.EtcdRequired;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The {@link LockBackend} contract on the etcd backend, against a real 3-member cluster, plus: etcd mode writes
 * nothing of named locks to the data directory, and a release revokes the grant's lease.
 */
@QuarkusTest
@TestProfile(EtcdProfile.class)
@ExtendWith(EtcdRequired.class)
class EtcdLockBackendContractTest extends AbstractLockBackendContractTest {

    @Inject
    EtcdClient etcd;

    /** Issue 9: release is a transaction guarded by the key's create revision, then the lease is revoked. */
    @Test
    void aReleaseDeletesTheKeyThenRevokesItsLease() {
        String name = LockApi.uniqueName("etcd-revoke");
        LockGrant grant = acquire(name, exclusive(0));
        EtcdKeys.Grant parsed = EtcdKeys.parse(grant.lockId()).orElseThrow();
        EtcdKeys keys = new EtcdKeys(config.etcd().namespace());
        RangeRequest read = RangeRequest.newBuilder().setKey(keys.key(name, parsed.type(), parsed.id())).build();
        RangeResponse held = etcd.range(read).await().atMost(Duration.ofSeconds(10));
        assertEquals(1, held.getKvsCount());
        assertEquals(grant.fencingToken(), held.getKvs(0).getCreateRevision());
        long lease = held.getKvs(0).getLease();
        assertTrue(etcd.timeToLive(lease).await().atMost(Duration.ofSeconds(10)) > 0);

        release(grant);
        assertEquals(0, etcd.range(read).await().atMost(Duration.ofSeconds(10)).getKvsCount());
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> etcd.timeToLive(lease).await().atMost(Duration.ofSeconds(10)) < 0);
    }

    @Test
    void etcdModeWritesNoLockToTheDataDirectory() {
        release(acquire(LockApi.uniqueName("etcd-only"), exclusive(0)));
        assertInstanceOf(EtcdLockBackend.class, FileLockBackendContractTest.unwrap(backend));
        assertFalse(Files.exists(config.dataDir().resolve(FileLockBackend.LOCKS_DIR)),
                "etcd mode created " + FileLockBackend.LOCKS_DIR + "/ in the data directory");
    }
}
