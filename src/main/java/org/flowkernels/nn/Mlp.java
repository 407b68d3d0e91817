package org.flowkernels.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.flowkernels.Backend;
import org.flowkernels.Check;
import org.flowkernels.rng.Distribution;
import org.flowkernels.spi.Network;
import org.flowkernels.spi.Philox4x32;

/**
 * A multilayer perceptron {@code y = W_L φ(... φ(W_1 x + b_1) ...) + b_L} as plain data:
 * each layer's W has PyTorch's nn.Linear layout [out, in] (row-major) and b is [out], so a
 * PyTorch state_dict maps onto it without transposes. φ acts after every layer but the last.
 *
 * <p>The parameters are also available packed in one array, layer by layer, W then b; this
 * is how they live on a device ({@link #on(Backend)}) and how the kernels address them.
 */
public final class Mlp {
    /** One nn.Linear: weight [out * in] row-major, bias [out]. */
    public record Layer(int in, int out, float[] weight, float[] bias) {
        public Layer {
            Check.positive(in, "in");
            Check.positive(out, "out");
            Check.notNull(weight, "weight");
            Check.notNull(bias, "bias");
            if (weight.length != (long) in * out)
                throw new IllegalArgumentException("weight: expected [out, in] = [" + out + ", " + in + "] = " + in * out
                        + " elements, got " + weight.length);
            if (bias.length != out)
                throw new IllegalArgumentException("bias: expected [" + out + "] elements, got " + bias.length);
        }
    }

    private final List<Layer> layers;
    private final Activation activation;
    private final int[] widths;
    private final int[] weightOffsets, biasOffsets;
    private final float[] packed;

    public Mlp(List<Layer> layers, Activation activation) {
        Check.notNull(layers, "layers");
        Check.notNull(activation, "activation");
        if (layers.isEmpty()) throw new IllegalArgumentException("layers: expected at least one layer, got none");
        this.layers = List.copyOf(layers);
        this.activation = activation;
        widths = new int[layers.size() + 1];
        widths[0] = layers.get(0).in();
        for (int l = 0; l < layers.size(); l++) {
            if (layers.get(l).in() != widths[l])
                throw new IllegalArgumentException("layers[" + l + "]: expected " + widths[l] + " inputs (the previous layer's outputs), got "
                        + layers.get(l).in());
            widths[l + 1] = layers.get(l).out();
        }
        // the packed layout is spi.Network's, the one the kernels address
        weightOffsets = new int[layers.size()];
        biasOffsets = new int[layers.size()];
        for (int l = 0; l < layers.size(); l++) {
            weightOffsets[l] = Network.weightOffset(widths, l);
            biasOffsets[l] = Network.biasOffset(widths, l);
        }
        long size = Network.parameterCount(widths);
        packed = new float[(int) size];
        for (int l = 0; l < layers.size(); l++) {
            System.arraycopy(layers.get(l).weight(), 0, packed, weightOffsets[l], layers.get(l).weight().length);
            System.arraycopy(layers.get(l).bias(), 0, packed, biasOffsets[l], layers.get(l).bias().length);
        }
    }

    /**
     * An MLP with PyTorch's nn.Linear default initialisation (weights and biases uniform in
     * ±1/√in), drawn from Philox with the given seed (layer l uses streams 2l and 2l+1).
     */
    public static Mlp random(long seed, Activation activation, int... widths) {
        Check.notNull(widths, "widths");
        if (widths.length < 2) throw new IllegalArgumentException("widths: expected at least [in, out], got " + Arrays.toString(widths));
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l + 1 < widths.length; l++) {
            int in = Check.positive(widths[l], "widths[" + l + "]"), out = Check.positive(widths[l + 1], "widths[" + (l + 1) + "]");
            float bound = (float) (1.0 / Math.sqrt(in));
            float[] w = new float[in * out], b = new float[out];
            for (int o = 0; o < out; o++) {
                for (int k = 0; k < in; k++)
                    w[o * in + k] = bound * (2 * Philox4x32.coordinate(seed, o, 0, 2 * l, k, Distribution.UNIFORM.code) - 1);
                b[o] = bound * (2 * Philox4x32.coordinate(seed, o, 0, 2 * l + 1, 0, Distribution.UNIFORM.code) - 1);
            }
            layers.add(new Layer(in, out, w, b));
        }
        return new Mlp(layers, activation);
    }

    public List<Layer> layers() { return layers; }

    public Activation activation() { return activation; }

    public int depth() { return layers.size(); }

    public int inputs() { return widths[0]; }

    public int outputs() { return widths[widths.length - 1]; }

    /** [in, hidden..., out]. */
    public int[] widths() { return widths.clone(); }

    public int width(int i) { return widths[i]; }

    /** The widest layer (input and output included): the size of per-sample scratch. */
    public int maxWidth() { return Arrays.stream(widths).max().orElseThrow(); }

    public int weightOffset(int layer) { return weightOffsets[layer]; }

    public int biasOffset(int layer) { return biasOffsets[layer]; }

    public int parameterCount() { return packed.length; }

    /** All parameters, layer by layer, W then b (a copy). */
    public float[] packedParameters() { return packed.clone(); }

    /** Multiply-adds per sample of one forward pass, times 2: the FLOPs benchmarks count. */
    public long flopsPerSample() {
        long f = 0;
        for (Layer l : layers) f += 2L * l.in() * l.out();
        return f;
    }

    /** The parameters uploaded to a backend, ready to run. */
    public MlpModule on(Backend backend) {
        return new MlpModule(this, backend);
    }

    @Override
    public String toString() {
        return "Mlp" + Arrays.toString(widths) + " " + activation.name().toLowerCase();
    }
}
