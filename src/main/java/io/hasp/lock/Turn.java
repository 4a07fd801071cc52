package io.hasp.lock;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.jboss.logging.Logger;

/**
 * This JVM's place in the queue of processes waiting for one resource: a ticket drawn from the resource's fence file
 * (see {@link FenceFile}), and the one thread that waits, blocked in the kernel, for the ticket before it to be done.
 * The kernel wakes that thread the moment the previous process passes its turn, or dies; then {@code onHead} runs and
 * this JVM's first waiter tries the lock file. Waiting processes are thus served first come, first served, and a
 * release reaches the next process without any timer in between.
 *
 * <p>A turn is passed ({@link #pass()}) when this JVM's waiter is granted, so the next process is already in line
 * while we hold. A turn whose local waiters all gave up is not abandoned early (that would let the next process
 * overtake the one before us): its thread waits on, and passes the turn as soon as it gets it.
 */
final class Turn {

    private static final Logger LOG = Logger.getLogger(Turn.class);
    /** One thread per resource this JVM waits for; they block in {@code fcntl(F_SETLKW)} and hold nothing else. */
    private static final ExecutorService THREADS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "hasp-lock-turn");
        t.setDaemon(true);
        return t;
    });

    private final FenceFile.Ticket ticket;
    private volatile boolean head;
    private volatile boolean passed;

    private Turn(FenceFile.Ticket ticket) {
        this.ticket = ticket;
    }

    /** Starts waiting for the turn of {@code ticket}; {@code onHead} runs on the turn thread once it is ours. */
    static Turn start(FenceFile.Ticket ticket, Runnable onHead) {
        Turn turn = new Turn(ticket);
        THREADS.execute(() -> {
            try {
                ticket.awaitTurn();
            } catch (IOException | RuntimeException e) {
                // the fence file was closed (engine stopping) or failed: behave as if the turn came, so that
                // waiters fall back to trying the lock file itself
                LOG.debugf("waiting for a turn failed: %s", e.toString());
            }
            turn.head = true;
            onHead.run();
        });
        return turn;
    }

    /** Whether the processes before this one are done: this JVM may try the lock file. */
    boolean isHead() {
        return head;
    }

    long number() {
        return ticket.number();
    }

    /** Hands the turn to the next process in line (releases the slot); idempotent. */
    void pass() {
        if (!passed) {
            passed = true;
            ticket.release();
        }
    }
}
