package org.flowkernels.spi;

import java.util.List;

/**
 * Training of coupling flows: one direction of a flow run in float64 on host arrays, keeping
 * what its backward pass needs, and that backward pass, the vector-Jacobian product of the
 * outputs and log-dets with respect to every parameter. The parameters are one flat vector,
 * coupling after coupling, each conditioner packed as {@link Network} lays it out. Only the
 * CPU backend implements this family for now (issue 11).
 */
public interface TrainKernels {
    /**
     * One coupling of a run.
     *
     * @param widths          its conditioner's widths [in, hidden..., out]
     * @param activation      the hidden activation, an ACT_* code
     * @param parameterOffset where its conditioner's packed parameters start in the flat vector
     * @param conditioning    the state columns the conditioner reads (permutations folded in)
     * @param transformed     the state columns the layer rewrites
     * @param scaleBound      SCALE_* code; clamp is c of SCALE_SOFT_CLAMP, else 0
     */
    record Coupling(int[] widths, int activation, int parameterOffset, int[] conditioning, int[] transformed,
                    boolean affine, int scaleBound, double clamp) {}

    /**
     * The couplings of one direction in run order.
     *
     * @param output output coordinate i is state column output[i]; null when the columns end in order
     */
    record Model(int dim, boolean inverse, List<Coupling> steps, int[] output, int parameterCount) {
        public Model {
            steps = List.copyOf(steps);
        }
    }

    /** A run's results and what its backward pass reads; the arrays are the tape's own. */
    interface Tape {
        int rows();

        /** [rows, dim] row-major, in output coordinate order. */
        double[] output();

        /** [rows]: Σ log|det J| of the run's direction (forward: ∂x/∂z; inverse: ∂z/∂x). */
        double[] logDet();
    }

    /** Runs the model over input [rows, dim] row-major with the given parameters; rows > 0. */
    Tape run(Model model, double[] parameters, double[] input, int rows);

    /**
     * Writes into gradient [parameterCount] Σ_r (dOutput_r · ∂output_r/∂θ + dLogDet_r ∂logDet_r/∂θ),
     * with dOutput [rows, dim] and dLogDet [rows]. The rows are summed in a fixed order, so the
     * result has the same bits on every call and for any number of threads.
     */
    void backward(Tape tape, double[] dOutput, double[] dLogDet, double[] gradient);
}
