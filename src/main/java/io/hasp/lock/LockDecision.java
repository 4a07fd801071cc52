package io.hasp.lock;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What an acquisition attempt does with the lock file it found: the pure decision, without I/O, taken under the
 * resource's guard from a snapshot of {@code F.lock} and the staleness of each of its holders.
 *
 * <ol>
 *   <li>No file: create it with our holder.</li>
 *   <li>A file nobody can parse: break it if it stayed unchanged for {@code stale-after}, else busy (holder
 *       unknown).</li>
 *   <li>A lock parked by a Hasp process: ours to take over (the record layer folds what the parker left); parked by
 *       this very owner and asked again exclusively: unpark it in place.</li>
 *   <li>Every holder stale: break the file and create ours.</li>
 *   <li>Shared holders and a shared request: join them (stale holders are dropped on the way).</li>
 *   <li>Otherwise busy, naming the first live holder.</li>
 * </ol>
 * Whose turn it is (no barging past waiting processes) is decided before, by the turn queue.
 */
final class LockDecision {

    private LockDecision() {
    }

    /** Who asks: the type, and the owner id its holder entry will carry. */
    record Request(LockType type, String owner) {
    }

    /** The holders of a parsed lock file, judged; or, for an unparsable file, whether it is stale. */
    record Evaluation(List<LockFileContent.Holder> live, List<LockFileContent.Holder> stale, boolean unreadableStale) {

        static Evaluation unreadable(boolean stale) {
            return new Evaluation(List.of(), List.of(), stale);
        }
    }

    enum Kind { CREATE, BREAK_AND_CREATE, TAKE_OVER, UNPARK, JOIN, BUSY }

    /**
     * The decision.
     *
     * @param keep   for {@link Kind#JOIN}: the live holders that stay beside ours
     * @param holder for {@link Kind#BUSY}: who is in the way, when known
     */
    record Decision(Kind kind, List<LockFileContent.Holder> keep, Optional<LockHolder> holder) {

        static Decision of(Kind kind) {
            return new Decision(kind, List.of(), Optional.empty());
        }

        static Decision busy(Optional<LockHolder> holder) {
            return new Decision(Kind.BUSY, List.of(), holder);
        }
    }

    static Decision decide(LockFiles.Snapshot found, Evaluation evaluation, Request request) {
        if (found == null) {
            return Decision.of(Kind.CREATE);
        }
        LockFileContent content = found.content();
        if (content == null) {
            return evaluation.unreadableStale() ? Decision.of(Kind.BREAK_AND_CREATE) : Decision.busy(Optional.empty());
        }
        if (content.parked() && !content.planOnly()) {
            boolean mine = content.holders().size() == 1 && request.owner().equals(content.holders().get(0).owner());
            return Decision.of(mine && request.type() == LockType.EXCLUSIVE
                    && content.effectiveType() == LockType.EXCLUSIVE ? Kind.UNPARK : Kind.TAKE_OVER);
        }
        if (evaluation.live().isEmpty()) {
            return Decision.of(Kind.BREAK_AND_CREATE);
        }
        LockType fileType = content.effectiveType();
        if (fileType == LockType.SHARED && request.type() == LockType.SHARED && !content.planOnly()) {
            List<LockFileContent.Holder> keep = new ArrayList<>();
            for (LockFileContent.Holder h : evaluation.live()) {
                if (!request.owner().equals(h.owner())) {
                    keep.add(h);
                }
            }
            return new Decision(Kind.JOIN, List.copyOf(keep), Optional.empty());
        }
        return Decision.busy(Optional.of(evaluation.live().get(0).toLockHolder(fileType)));
    }
}
