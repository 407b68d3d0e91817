package org.flowkernels.flow;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.flowkernels.Backend;
import org.flowkernels.Check;

/**
 * A normalizing flow x = f(z) made of coupling layers and fixed permutations over a standard
 * normal base z ~ N(0, I), as plain data. Layer 0 acts first on z; {@link #on(Backend)} puts
 * the conditioners' weights on a backend, where sampling and densities run.
 *
 * <p>A model directory holds {@code flow.json} (the layers, masks and widths) and the weights
 * ({@code model.safetensors} or {@code weights.npz}, PyTorch state_dict names): see
 * {@link #load(Path)} and README.md, "Weights from PyTorch and NumPy".
 */
public final class CouplingFlow {
    private final List<FlowLayer> layers;
    private final List<Coupling> couplings;
    private final int dim;
    private final FlowPlan forward, inverse;

    public CouplingFlow(List<? extends FlowLayer> layers) {
        Check.notNull(layers, "layers");
        if (layers.isEmpty()) throw new IllegalArgumentException("layers: expected at least one layer, got none");
        for (int k = 0; k < layers.size(); k++) Check.notNull(layers.get(k), "layers[" + k + "]");
        this.layers = List.copyOf(layers);
        this.dim = this.layers.get(0).dim();
        List<Coupling> c = new ArrayList<>();
        for (int k = 0; k < this.layers.size(); k++) {
            FlowLayer l = this.layers.get(k);
            if (l.dim() != dim)
                throw new IllegalArgumentException("layers[" + k + "]: expected dim " + dim + " (layer 0's), got " + l.dim());
            if (l instanceof Coupling cl) c.add(cl);
        }
        this.couplings = List.copyOf(c);
        this.forward = FlowPlan.of(dim, this.layers, false);
        this.inverse = FlowPlan.of(dim, this.layers, true);
    }

    public static CouplingFlow of(FlowLayer... layers) {
        Check.notNull(layers, "layers");
        return new CouplingFlow(List.of(layers));
    }

    /**
     * RealNVP as WORKLOADS.md W1 defines it: {@code count} affine couplings with s = tanh(o),
     * layer k conditioning on the first half of the coordinates when k is even and on the
     * second half when k is odd; conditioners dim/2 → hidden... → 2·(dim − dim/2) with tanh,
     * initialised like nn.Linear from Philox (coupling k uses seed + k).
     */
    public static CouplingFlow realNvp(int dim, int count, long seed, int... hidden) {
        Check.positive(count, "count");
        List<FlowLayer> layers = new ArrayList<>();
        for (int k = 0; k < count; k++)
            layers.add(AffineCoupling.random(k % 2 == 0 ? Mask.firstHalf(dim) : Mask.secondHalf(dim), seed + k, hidden));
        return new CouplingFlow(layers);
    }

    /** Reads a model directory: flow.json and its weights file (see README.md). */
    public static CouplingFlow load(Path dir) throws IOException {
        return FlowFormat.load(dir);
    }

    /** Writes flow.json and model.safetensors into {@code dir} (created if needed). */
    public void save(Path dir) throws IOException {
        FlowFormat.save(this, dir, FlowFormat.SAFETENSORS);
    }

    /** Writes flow.json and the weights as {@code model.safetensors} or {@code weights.npz}. */
    public void save(Path dir, String weightsFile) throws IOException {
        FlowFormat.save(this, dir, weightsFile);
    }

    public int dim() { return dim; }

    public List<FlowLayer> layers() { return layers; }

    /** The coupling layers, in order (the permutations left out). */
    public List<Coupling> couplings() { return couplings; }

    /** The compiled index lists of one direction (for the kernels). */
    public FlowPlan plan(boolean inverse) { return inverse ? this.inverse : forward; }

    /** FLOPs of the conditioners per sample and direction (what the benchmarks count). */
    public long flopsPerSample() {
        long f = 0;
        for (Coupling c : couplings) f += c.conditioner().flopsPerSample();
        return f;
    }

    /** The weights on a backend, ready to sample and evaluate densities. Close it to free them. */
    public CouplingFlowModule on(Backend backend) {
        return new CouplingFlowModule(this, backend);
    }

    @Override
    public String toString() {
        return "CouplingFlow[dim " + dim + ", " + couplings.size() + " couplings, " + (layers.size() - couplings.size())
                + " permutations]";
    }
}
