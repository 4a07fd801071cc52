package io.hasp.lease;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.inject.Singleton;

import org.junit.jupiter.api.Test;

import io.hasp.etcd.EtcdClient;
import io.quarkus.arc.Arc;
import io.quarkus.test.junit.QuarkusTest;

/** The {@link LockBackend} contract on the file backend (the default), plus: file mode never touches etcd. */
@QuarkusTest
class FileLockBackendContractTest extends AbstractLockBackendContractTest {

    @Test
    void fileModeCreatesNoEtcdClient() {
        release(acquire(LockApi.uniqueName("file-only"), exclusive(0)));
        assertInstanceOf(FileLockBackend.class, unwrap(backend));
        assertTrue(Arc.container().getActiveContext(Singleton.class).getState().getContextualInstances().values()
                .stream().noneMatch(i -> i instanceof EtcdClient), "an etcd client was created in file mode");
    }

    static Object unwrap(LockBackend proxy) {
        return proxy instanceof io.quarkus.arc.ClientProxy p ? p.arc_contextualInstance() : proxy;
    }
}
