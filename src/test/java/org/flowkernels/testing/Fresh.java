package org.flowkernels.testing;

import java.util.SplittableRandom;

/**
 * Fresh random test inputs: a new seed every run (so the suite keeps exploring), printed in
 * every failure message through {@link #seed()}; -Dflowkernels.test.seed=N replays a run.
 */
public final class Fresh {
    private static final long BASE = Long.getLong("flowkernels.test.seed", System.nanoTime());

    private final long seed;
    private final SplittableRandom random;

    /** A generator for one test, derived from the run's seed and the test's name. */
    public Fresh(String test) {
        this.seed = BASE ^ (test.hashCode() * 0x9E3779B97F4A7C15L);
        this.random = new SplittableRandom(seed);
    }

    /** "seed=N (replay the run with -Dflowkernels.test.seed=BASE)". */
    public String seed() {
        return "seed=" + seed + " (replay with -Dflowkernels.test.seed=" + BASE + ")";
    }

    public long nextLong() { return random.nextLong(); }

    public int nextInt(int bound) { return random.nextInt(bound); }

    public double uniform(double lo, double hi) { return lo + (hi - lo) * random.nextDouble(); }

    public double gaussian() {
        // Box-Muller in double; test inputs need no speed
        double u = 1.0 - random.nextDouble(), v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    public float[] gaussian(int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (scale * gaussian());
        return x;
    }

    public float[] uniform(int n, double lo, double hi) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) uniform(lo, hi);
        return x;
    }
}
