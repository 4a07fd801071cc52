package io.hasp.transfer;

import org.junit.jupiter.api.extension.ExtendWith;

import io.hasp.etcd.EtcdProfile;
import io.hasp.etcd.EtcdRequired;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * {@link ImportRecoveryTest} with {@code hasp.backend=etcd}: the intent is one sealed key per entry, and the sweeper
 * rolls a stale one back the same way.
 */
@QuarkusTest
@TestProfile(EtcdProfile.class)
@ExtendWith(EtcdRequired.class)
class EtcdImportRecoveryTest extends ImportRecoveryTest {
}
