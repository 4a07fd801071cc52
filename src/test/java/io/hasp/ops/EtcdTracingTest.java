package io.hasp.ops;

import org.junit.jupiter.api.extension.ExtendWith;

import io.hasp.etcd.EtcdRequired;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The etcd backend traces its lock waits as the file backend does: {@link AbstractLockWaitTracingTest}. */
@QuarkusTest
@TestProfile(EtcdTracingProfile.class)
@ExtendWith(EtcdRequired.class)
class EtcdTracingTest extends AbstractLockWaitTracingTest {
}
