package org.flowkernels.ode;

import org.flowkernels.Tensor;

/**
 * The result of {@link Ode#solve}: x(t1) [n, D], Δlogp(t1) = −∫ tr(∂v/∂x) dt [n, 1], the
 * snapshots if asked for (snapshot j in rows [j n, (j + 1) n) of {@link #snapshotX()} [S n, D]
 * and {@link #snapshotDeltaLogp()} [S n, 1], at {@code solve().snapshotTime(j)}), and which
 * execution path ran. Close it to free the tensors.
 */
public record Solution(Tensor x, Tensor deltaLogp, Tensor snapshotX, Tensor snapshotDeltaLogp, Solve solve,
                       Execution execution) implements AutoCloseable {
    public int snapshots() { return solve.snapshots(); }

    @Override
    public void close() {
        x.close();
        deltaLogp.close();
        if (snapshotX != null) snapshotX.close();
        if (snapshotDeltaLogp != null) snapshotDeltaLogp.close();
    }
}
