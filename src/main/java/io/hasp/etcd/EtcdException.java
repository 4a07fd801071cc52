package io.hasp.etcd;

/**
 * An etcd call that failed for good: every member was tried until {@code hasp.etcd.operation-timeout}, or the
 * cluster refused the request. Its message names the operation and the gRPC status, never a key's value.
 */
public class EtcdException extends RuntimeException {

    public EtcdException(String message, Throwable cause) {
        super(message, cause);
    }
}
