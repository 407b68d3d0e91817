package org.flowkernels.flow;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.flowkernels.nn.MlpModule;
import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.CouplingKernels;

/**
 * A flow's layers in the order one direction runs them, compiled for the kernels: each
 * coupling's mask as columns of the state array, with the permutation layers folded in.
 *
 * <p>The kernels keep the batch in one [n, D] state array and never move columns for a
 * permutation: the plan tracks which state column holds each logical coordinate after every
 * layer, so a coupling reads and writes the columns its mask names through that map, and
 * only the output is gathered once, at the end, if the accumulated map is not the identity.
 * Forward runs layers 0 .. K-1 (z to x); inverse runs them backwards (x to z).
 *
 * <p>For devices the index lists are also packed into one int array ({@link #packed()}),
 * each step's lists at the offsets it records.
 */
public final class FlowPlan {
    /**
     * One coupling layer of the run.
     *
     * @param coupling    its index among the flow's couplings ({@link CouplingFlow#couplings()})
     * @param conditioning the state columns the conditioner reads, in the mask's order
     * @param transformed  the state columns the layer rewrites, in the mask's order
     */
    public record Step(int coupling, Coupling layer, int[] conditioning, int[] transformed, int conditioningOffset,
                       int transformedOffset) {}

    private final boolean inverse;
    private final List<Step> steps;
    private final int[] output;
    private final int outputOffset;
    private final int[] packed;

    private FlowPlan(boolean inverse, List<Step> steps, int[] output, int outputOffset, int[] packed) {
        this.inverse = inverse;
        this.steps = Collections.unmodifiableList(steps);
        this.output = output;
        this.outputOffset = outputOffset;
        this.packed = packed;
    }

    static FlowPlan of(int dim, List<FlowLayer> layers, boolean inverse) {
        // map[i]: the state column that holds logical coordinate i at this point of the run
        int[] map = new int[dim];
        for (int i = 0; i < dim; i++) map[i] = i;
        int couplings = 0;
        for (FlowLayer l : layers) if (l instanceof Coupling) couplings++;
        List<Step> steps = new ArrayList<>();
        List<int[]> lists = new ArrayList<>();
        int offset = 0, next = inverse ? couplings - 1 : 0;
        for (int k = 0; k < layers.size(); k++) {
            FlowLayer layer = layers.get(inverse ? layers.size() - 1 - k : k);
            if (layer instanceof Permutation p) {
                int[] perm = p.indices(), moved = new int[dim];
                // forward: y_i = x_{p[i]}; inverse: x_{p[i]} = y_i
                for (int i = 0; i < dim; i++) {
                    if (inverse) moved[perm[i]] = map[i];
                    else moved[i] = map[perm[i]];
                }
                map = moved;
            } else if (layer instanceof Coupling c) {
                int[] cond = gather(map, c.mask().conditioning()), trans = gather(map, c.mask().transformed());
                steps.add(new Step(next, c, cond, trans, offset, offset + cond.length));
                lists.add(cond);
                lists.add(trans);
                offset += cond.length + trans.length;
                next += inverse ? -1 : 1;
            }
        }
        boolean identity = true;
        for (int i = 0; i < dim; i++) identity &= map[i] == i;
        int[] output = identity ? null : map;
        if (output != null) lists.add(output);
        int[] packed = new int[offset + (output == null ? 0 : dim)];
        int at = 0;
        for (int[] l : lists) {
            System.arraycopy(l, 0, packed, at, l.length);
            at += l.length;
        }
        return new FlowPlan(inverse, steps, output, offset, packed);
    }

    private static int[] gather(int[] map, int[] logical) {
        int[] cols = new int[logical.length];
        for (int j = 0; j < logical.length; j++) cols[j] = map[logical[j]];
        return cols;
    }

    public boolean inverse() { return inverse; }

    /** The couplings in run order. */
    public List<Step> steps() { return steps; }

    /** Output coordinate i is state column output[i]; null when that is the identity. */
    public int[] output() { return output == null ? null : output.clone(); }

    /** Where {@link #output()} starts in {@link #packed()}. */
    public int outputOffset() { return outputOffset; }

    /** All index lists, for a device buffer (a copy). */
    public int[] packed() { return packed.clone(); }

    /**
     * The plan as the coupling kernels take it: each step's conditioner is
     * {@code conditioners.get(step.coupling())}, and {@code indexBuffer} holds {@link #packed()}
     * on their backend.
     */
    public CouplingKernels.Plan kernelPlan(int dim, List<MlpModule> conditioners, Buffer indexBuffer) {
        List<CouplingKernels.Step> out = new ArrayList<>();
        for (Step s : steps) {
            Coupling c = s.layer();
            out.add(new CouplingKernels.Step(conditioners.get(s.coupling()).network(), s.conditioningOffset(),
                    s.conditioning().length, s.transformedOffset(), s.transformed().length, c.affine(),
                    c.scaleBound().kind().code, (float) c.scaleBound().clamp()));
        }
        return new CouplingKernels.Plan(dim, inverse, out, packed, indexBuffer, output == null ? -1 : outputOffset);
    }
}
