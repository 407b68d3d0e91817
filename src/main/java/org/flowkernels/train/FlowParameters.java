package org.flowkernels.train;

import java.util.ArrayList;
import java.util.List;
import org.flowkernels.flow.AdditiveCoupling;
import org.flowkernels.flow.AffineCoupling;
import org.flowkernels.flow.Coupling;
import org.flowkernels.flow.CouplingFlow;
import org.flowkernels.flow.FlowLayer;
import org.flowkernels.flow.FlowPlan;
import org.flowkernels.nn.Mlp;
import org.flowkernels.spi.TrainKernels;

/**
 * A coupling flow's parameters as one flat vector θ: the conditioners in coupling order, each
 * packed as {@link Mlp#packedParameters()} lays it out. Converts between the flow (float32
 * plain data) and θ (the flat vector the train kernels hold), and compiles a direction of the
 * flow into the train kernels' {@link TrainKernels.Model}.
 */
final class FlowParameters {
    private final CouplingFlow flow;
    private final int[] offsets;
    private final int count;

    FlowParameters(CouplingFlow flow) {
        this.flow = flow;
        List<Coupling> couplings = flow.couplings();
        offsets = new int[couplings.size()];
        long at = 0;
        for (int k = 0; k < offsets.length; k++) {
            offsets[k] = (int) at;
            at += couplings.get(k).conditioner().parameterCount();
            if (at > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("flow: more than 2^31 parameters");
        }
        count = (int) at;
    }

    int count() { return count; }

    /** θ of the flow as it is. */
    double[] flatten() {
        double[] theta = new double[count];
        for (int k = 0; k < offsets.length; k++) {
            float[] p = flow.couplings().get(k).conditioner().packedParameters();
            for (int i = 0; i < p.length; i++) theta[offsets[k] + i] = p[i];
        }
        return theta;
    }

    /** The same layers with the conditioners' parameters taken from θ (rounded to float32). */
    CouplingFlow with(double[] theta) {
        List<FlowLayer> layers = new ArrayList<>();
        int k = 0;
        for (FlowLayer layer : flow.layers()) {
            if (!(layer instanceof Coupling c)) {
                layers.add(layer);
                continue;
            }
            Mlp m = c.conditioner();
            List<Mlp.Layer> linear = new ArrayList<>();
            for (int l = 0; l < m.depth(); l++) {
                int in = m.width(l), out = m.width(l + 1);
                linear.add(new Mlp.Layer(in, out, floats(theta, offsets[k] + m.weightOffset(l), in * out),
                        floats(theta, offsets[k] + m.biasOffset(l), out)));
            }
            Mlp conditioner = new Mlp(linear, m.activation());
            layers.add(c instanceof AffineCoupling a ? new AffineCoupling(a.mask(), conditioner, a.scaleBound())
                    : new AdditiveCoupling(c.mask(), conditioner));
            k++;
        }
        return new CouplingFlow(layers);
    }

    /** One direction of the flow for the train kernels (permutations folded in as in {@link FlowPlan}). */
    TrainKernels.Model model(boolean inverse) {
        FlowPlan plan = flow.plan(inverse);
        List<TrainKernels.Coupling> steps = new ArrayList<>();
        for (FlowPlan.Step s : plan.steps()) {
            Coupling c = s.layer();
            Mlp m = c.conditioner();
            steps.add(new TrainKernels.Coupling(m.widths(), m.activation().code, offsets[s.coupling()], s.conditioning(),
                    s.transformed(), c.affine(), c.scaleBound().kind().code, c.scaleBound().clamp()));
        }
        return new TrainKernels.Model(flow.dim(), inverse, steps, plan.output(), count);
    }

    private static float[] floats(double[] theta, int from, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) theta[from + i];
        return f;
    }
}
