package io.hasp.lock;

/** {@link MockFileLockService} keeps the same contract as the lock-file engine. */
class MockFileLockServiceContractTest extends AbstractFileLockServiceContractTest {

    @Override
    protected FileLockService newService() {
        return new MockFileLockService();
    }

    @Override
    protected void closeService(FileLockService closing) {
        ((MockFileLockService) closing).reset();
    }
}
