package org.flowkernels.sample;

/**
 * Running statistics of a batch of chains over its sampling steps, kept on the device (one
 * Welford accumulator per chain and column) and merged across chains with Chan's formula:
 * the mean and variance of each coordinate and of the energy V(x) over every chain and every
 * sample taken, and the acceptance rate. Variances divide by N - 1, N = chains x samples.
 * Before the first sample the means and variances are NaN.
 */
public final class ChainStatistics {
    private final int chains;
    private final long samplesPerChain;
    private final double[] mean, variance;
    private final boolean hasEnergy;
    private final double energyMean, energyVariance, acceptanceRate;

    ChainStatistics(int chains, long samplesPerChain, int n, boolean hasEnergy, double[] merged, double acceptanceRate) {
        this.chains = chains;
        this.samplesPerChain = samplesPerChain;
        this.hasEnergy = hasEnergy;
        this.acceptanceRate = acceptanceRate;
        int cols = n + (hasEnergy ? 1 : 0);
        double total = (double) chains * samplesPerChain;
        mean = new double[n];
        variance = new double[n];
        for (int c = 0; c < n; c++) {
            mean[c] = samplesPerChain == 0 ? Double.NaN : merged[c];
            variance[c] = samplesPerChain == 0 ? Double.NaN : merged[cols + c] / (total - 1);
        }
        energyMean = hasEnergy && samplesPerChain > 0 ? merged[n] : Double.NaN;
        energyVariance = hasEnergy && samplesPerChain > 0 ? merged[cols + n] / (total - 1) : Double.NaN;
    }

    public int chains() { return chains; }

    /** Samples each chain contributed (sampling steps / statisticsEvery). */
    public long samplesPerChain() { return samplesPerChain; }

    /** The mean of each coordinate. */
    public double[] mean() { return mean.clone(); }

    /** The variance of each coordinate. */
    public double[] variance() { return variance.clone(); }

    /** Whether the drift has an energy (a potential does, a score network does not). */
    public boolean hasEnergy() { return hasEnergy; }

    /** The mean of V(x); IllegalStateException for a score drift, which has no energy. */
    public double energyMean() {
        requireEnergy();
        return energyMean;
    }

    public double energyVariance() {
        requireEnergy();
        return energyVariance;
    }

    /** Accepted / proposed over the sampling steps of every chain; 1 for ULA, which accepts every step. */
    public double acceptanceRate() { return acceptanceRate; }

    private void requireEnergy() {
        if (!hasEnergy) throw new IllegalStateException("energy statistics: a score drift has no energy");
    }

    @Override
    public String toString() {
        return "ChainStatistics[chains=" + chains + ", samplesPerChain=" + samplesPerChain
                + (hasEnergy ? ", energy " + energyMean + " ± " + Math.sqrt(energyVariance) : "")
                + ", acceptance " + acceptanceRate + "]";
    }
}
