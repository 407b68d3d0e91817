package org.flowkernels.spi;

import java.util.List;

/**
 * Coupling flows (RealNVP, NICE) on one backend. The batch lives in one [n, D] state array;
 * a {@link Plan} names, per coupling, the state columns its conditioner reads and the columns
 * it rewrites (permutation layers folded in by the caller), all packed in one int list.
 */
public interface CouplingKernels {
    /**
     * One coupling of a run.
     *
     * @param conditioner        the conditioner: conditioningCount inputs; 2 transformedCount
     *                           outputs (affine: raw log-scale, then shift) or transformedCount (additive)
     * @param conditioningOffset where its conditioning columns start in the plan's index list
     * @param transformedOffset  where its transformed columns start
     * @param scaleBound         SCALE_* code: s = bound(raw log-scale)
     * @param clamp              c of SCALE_SOFT_CLAMP (s = c tanh(o / c)), else 0
     */
    record Step(Network conditioner, int conditioningOffset, int conditioningCount, int transformedOffset,
                int transformedCount, boolean affine, int scaleBound, float clamp) {}

    /**
     * The couplings of one direction, in run order.
     *
     * @param indices      every step's column lists, then (at outputOffset) the output map, on the host
     * @param indexBuffer  the same list in the backend's memory (INT32)
     * @param outputOffset where the output map starts (output coordinate i is state column
     *                     indices[outputOffset + i]), or −1 when the columns end in order
     */
    record Plan(int dim, boolean inverse, List<Step> steps, int[] indices, Buffer indexBuffer, int outputOffset) {
        public Plan {
            steps = List.copyOf(steps);
        }

        /**
         * The factor on each layer's Σ s in the per-row result: +1 for the forward log-det; −1 for
         * the inverse log-det and in both density modes (log q(x) = log N(z) − Σ_k Σ s_k).
         */
        public float scaleSign(boolean density) { return inverse || density ? -1f : 1f; }

        public int maxConditioning() { return steps.stream().mapToInt(Step::conditioningCount).max().orElse(0); }

        public int maxConditionerOutput() { return steps.stream().mapToInt(s -> s.conditioner().outputs()).max().orElse(0); }

        public int maxHidden() { return steps.stream().mapToInt(s -> s.conditioner().maxHidden()).max().orElse(0); }

        public int maxDepth() { return steps.stream().mapToInt(s -> s.conditioner().depth()).max().orElse(0); }
    }

    /**
     * Runs every step of the plan over in [n, D] into out [n, D] (in is not modified), and
     * writes row r's result to result [n, 1]: the summed log|det J| or, with {@code density},
     * the log-density: log N(in; 0, I) − Σ log|det J| for a forward plan (log q of the output),
     * log N(out; 0, I) + Σ log|det J| for an inverse plan (log p of the input). n > 0.
     */
    void transform(Plan plan, Matrix in, Matrix out, Matrix result, boolean density);

    /** The first row of x [n, D] holding a NaN or an infinity, or −1 if there is none. */
    int firstNonFiniteRow(Matrix x);
}
