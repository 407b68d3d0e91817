package org.flowkernels.physics;

import java.util.function.LongConsumer;
import org.flowkernels.Check;

/**
 * What a Hamiltonian run records: H of every trajectory at steps 0, every, 2 every, ... (and,
 * with snapshots, q and p there too). {@code progress}, when not null, is told the number of
 * steps done after each kernel launch of a long run.
 */
public record Recording(int every, boolean snapshots, LongConsumer progress) {
    public Recording {
        Check.positive(every, "every");
    }

    /** H every {@code every} steps, no snapshots. */
    public static Recording every(int every) { return new Recording(every, false, null); }

    /** The same, with q and p recorded too. */
    public Recording withSnapshots() { return new Recording(every, true, progress); }

    /** The same, reporting the steps done after each launch. */
    public Recording withProgress(LongConsumer progress) { return new Recording(every, snapshots, progress); }
}
