package org.flowkernels.spi;

import java.util.List;

/**
 * Training of coupling flows: one direction of a flow run keeping what its backward pass needs
 * (the tape), that backward pass (the vector-Jacobian product of the outputs and log-dets with
 * respect to every parameter, summed over the batch in a fixed order), and the optimizer's step.
 * The parameters θ are one flat vector, coupling after coupling, each conditioner packed as
 * {@link Network} lays it out; θ, its gradient and the optimizer's moments live in the
 * backend's memory ({@link Parameters}), and so do the batch, its outputs and cotangents: per
 * step only the gradient's norm crosses to the host. Every backend computes in float32.
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

    /**
     * How {@link #update} moves θ along the gradient g at rate η. Adam (adam true):
     * m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2) g², θ ← θ − η (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + ε),
     * t the steps so far. SGD (adam false): u ← μ u + g, θ ← θ − η u.
     */
    record Rule(boolean adam, double beta1, double beta2, double epsilon, double momentum) {}

    /** θ with its gradient and the optimizer's moments, in the backend's memory; close frees them. */
    interface Parameters extends AutoCloseable {
        int count();

        /** θ, read to the host. */
        double[] values();

        /** The gradient the last {@link #backward} wrote, read to the host. */
        double[] gradient();

        @Override
        void close();
    }

    /** What a run's backward pass needs, kept in the backend's memory; close frees it. */
    interface Tape extends AutoCloseable {
        int rows();

        @Override
        void close();
    }

    /** θ (count values) in the backend's memory, with a zero gradient and zero moments for {@code rule}. */
    Parameters parameters(double[] theta, Rule rule);

    /**
     * Runs the model over input [rows, dim] into output [rows, dim] (output coordinate order) and
     * logDet [rows, 1] (Σ log|det J| of the run's direction: forward ∂x/∂z, inverse ∂z/∂x), all
     * in the backend's memory; rows > 0.
     */
    Tape run(Model model, Parameters theta, Matrix input, Matrix output, Matrix logDet);

    /**
     * Overwrites the gradient of the tape's θ with
     * Σ_r w_r (a dOutput_r · ∂output_r/∂θ + b ∂logDet_r/∂θ), with dOutput [rows, dim] (it may be the
     * run's own output), w [rows, 1] (null: every w_r = 1), a = outputScale and b = logDetScale,
     * and returns its Euclidean norm. The rows and the squares are summed in a fixed order: the
     * same bits on every call, for any number of threads.
     */
    double backward(Tape tape, Matrix dOutput, Matrix rowWeight, double outputScale, double logDetScale);

    /** One step of the parameters' rule with the gradient scaled by {@code scale} (clipping) at rate η. */
    void update(Parameters theta, double rate, double scale);
}
