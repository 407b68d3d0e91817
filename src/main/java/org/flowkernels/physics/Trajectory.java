package org.flowkernels.physics;

import org.flowkernels.Tensor;

/**
 * The result of {@link Hamiltonian#integrate}: the final state, the recorded energies and
 * snapshots, and the largest relative energy error of each trajectory. All tensors live on the
 * run's backend and are closed with the trajectory.
 *
 * <p>Record k is the state after step k * {@link #recordEvery()} (record 0: the initial state),
 * for k = 0 .. {@link #records()} - 1.
 */
public final class Trajectory implements AutoCloseable {
    private final Integrator method;
    private final double dt;
    private final int steps, every;
    private final Tensor q, p, energies, snapshotsQ, snapshotsP, maxError;

    Trajectory(Integrator method, double dt, int steps, int every, Tensor q, Tensor p, Tensor energies, Tensor snapshotsQ,
               Tensor snapshotsP, Tensor maxError) {
        this.method = method;
        this.dt = dt;
        this.steps = steps;
        this.every = every;
        this.q = q;
        this.p = p;
        this.energies = energies;
        this.snapshotsQ = snapshotsQ;
        this.snapshotsP = snapshotsP;
        this.maxError = maxError;
    }

    public Integrator method() { return method; }

    public double dt() { return dt; }

    public int steps() { return steps; }

    public int recordEvery() { return every; }

    /** Number of records: steps / recordEvery + 1. */
    public int records() { return steps / every + 1; }

    /** The time of record k: k * recordEvery * dt. */
    public double time(int k) { return (double) k * every * dt; }

    /** Final positions [batch, n]. */
    public Tensor q() { return q; }

    /** Final momenta [batch, n]. */
    public Tensor p() { return p; }

    /** H at each record [batch, records]. */
    public Tensor energies() { return energies; }

    /** Whether q and p were recorded. */
    public boolean hasSnapshots() { return snapshotsQ != null; }

    /** q at each record [batch, records * n]: record k of trajectory b is row b, columns k*n .. k*n + n - 1. */
    public Tensor snapshotsQ() { return requireSnapshots(snapshotsQ); }

    /** p at each record, laid out as {@link #snapshotsQ()}. */
    public Tensor snapshotsP() { return requireSnapshots(snapshotsP); }

    /**
     * max over the records k of |H_k - H_0| / |H_0| for each trajectory [batch, 1] (the
     * absolute error |H_k - H_0| where H_0 = 0). A run that blew up shows a non-finite value.
     */
    public Tensor maxRelativeEnergyError() { return maxError; }

    /** The largest of {@link #maxRelativeEnergyError()} over the batch (copies it to the host);
     *  NaN if any trajectory's energy became non-finite. */
    public double worstRelativeEnergyError() {
        double worst = 0;
        for (float e : maxError.toArray()) {
            if (!Float.isFinite(e)) return Double.NaN;
            worst = Math.max(worst, e);
        }
        return worst;
    }

    private Tensor requireSnapshots(Tensor t) {
        if (t == null) throw new IllegalStateException("snapshots: this run recorded energies only (use Recording.withSnapshots())");
        return t;
    }

    @Override
    public void close() {
        for (Tensor t : new Tensor[] {q, p, energies, snapshotsQ, snapshotsP, maxError}) if (t != null) t.close();
    }
}
