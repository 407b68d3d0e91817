package org.flowkernels.train;

/**
 * What one optimizer step saw, measured on its batch before the update.
 *
 * @param step         the step's index, 0 first
 * @param loss         the batch mean of the per-sample loss: the free energy estimate F (variational
 *                     free energy) or −⟨ln q(x)⟩ over the data rows (maximum likelihood)
 * @param lossError    its standard error over the batch, sd / √M
 * @param gradientNorm the global norm of the loss's gradient, before clipping
 * @param learningRate the rate the step used
 * @param meanEnergy   ⟨H⟩_q over the batch (variational free energy; NaN otherwise)
 * @param essFraction  ESS/M of the importance weights exp(−βH − ln q): (Σw)² / (M Σw²), 1 when q is the target
 *                     (variational free energy; NaN otherwise)
 */
public record TrainStep(int step, double loss, double lossError, double gradientNorm, double learningRate, double meanEnergy,
                        double essFraction) {}
