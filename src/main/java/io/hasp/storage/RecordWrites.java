package io.hasp.storage;

import java.nio.file.Path;

/**
 * Told of every batch of record changes made durable ({@link GroupCommitter}): the record file, how many changes the
 * batch held, and how long its write took, fsync included. For tracing: called on the writing thread, under the
 * record's lock, so it must be cheap and never throw. One per application; {@link #NONE} until one is installed.
 */
@FunctionalInterface
public interface RecordWrites {

    /** Reports nothing. */
    RecordWrites NONE = (file, batchSize, writeNanos) -> {
    };

    void written(Path file, int batchSize, long writeNanos);

    /** Makes {@code hook} the one every committer reports to; {@code null} stops reporting. */
    static void install(RecordWrites hook) {
        Installed.hook = hook == null ? NONE : hook;
    }

    /** The hook committers report to. */
    static RecordWrites installed() {
        return Installed.hook;
    }

    /** Holds the installed hook. */
    final class Installed {
        private static volatile RecordWrites hook = NONE;

        private Installed() {
        }
    }
}
