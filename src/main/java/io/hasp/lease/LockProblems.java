package io.hasp.lease;

import java.util.Map;

import org.jboss.logging.Logger;

import io.hasp.http.ProblemException;

/**
 * The problems that every {@link LockBackend} answers alike, as API.md words them: 404 for a lock id that no longer
 * holds its name, and 503 {@code error} with {@code Retry-After} when the backend cannot be read or written (logged
 * here, with the cause the client never sees).
 */
final class LockProblems {

    /** Seconds a client should wait after a backend fault before trying again. */
    static final String RETRY_AFTER_SECONDS = "1";

    private static final Logger LOG = Logger.getLogger(LockProblems.class);

    private LockProblems() {
    }

    /** 404: {@code name} is not held by the lock id of the request. */
    static ProblemException notHeld(LockName name) {
        return ProblemException.notFound("lock '" + name.value() + "' is not held by that lock id");
    }

    /** 503 {@code error}: the lock state could not be read or written; try again after a second. */
    static ProblemException unavailable() {
        return new ProblemException(503, "error", "the lock state could not be read or written", Map.of(),
                Map.of("Retry-After", RETRY_AFTER_SECONDS));
    }

    /** {@code f} as a client sees it: a problem as it is, anything else logged (naming {@code backend}) and 503. */
    static Throwable fault(Throwable f, String backend) {
        if (f instanceof ProblemException) {
            return f;
        }
        LOG.warnf("named lock operation on %s failed: %s", backend, f.toString());
        return unavailable();
    }
}
