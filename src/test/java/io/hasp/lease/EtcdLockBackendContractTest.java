package io.hasp.lease;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Files;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.hasp.etcd.EtcdProfile;
import io.hasp.etcd.EtcdRequired;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The {@link LockBackend} contract on the etcd backend, against a real 3-member cluster, plus: etcd mode writes
 * nothing of named locks to the data directory.
 */
@QuarkusTest
@TestProfile(EtcdProfile.class)
@ExtendWith(EtcdRequired.class)
class EtcdLockBackendContractTest extends AbstractLockBackendContractTest {

    @Test
    void etcdModeWritesNoLockToTheDataDirectory() {
        release(acquire(LockApi.uniqueName("etcd-only"), exclusive(0)));
        assertInstanceOf(EtcdLockBackend.class, FileLockBackendContractTest.unwrap(backend));
        assertFalse(Files.exists(config.dataDir().resolve(FileLockBackend.LOCKS_DIR)),
                "etcd mode created " + FileLockBackend.LOCKS_DIR + "/ in the data directory");
    }
}
