package io.hasp.lock;

import java.time.Duration;

import io.hasp.TestConfig;

/** The lock-file engine keeps the contract of {@link FileLockService}, like {@link MockFileLockService}. */
class LockFileEngineContractTest extends AbstractFileLockServiceContractTest {

    @Override
    protected FileLockService newService() {
        return new LockFileEngine(TestConfig.lockEngine().withStaleAfter(Duration.ofSeconds(2))
                .withRetryCap(POLL));
    }

    @Override
    protected void closeService(FileLockService closing) {
        ((LockFileEngine) closing).close();
    }
}
