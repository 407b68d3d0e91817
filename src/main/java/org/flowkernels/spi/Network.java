package org.flowkernels.spi;

import java.util.Arrays;

/**
 * An MLP {@code y = W_L φ(... φ(W_1 x + b_1) ...) + b_L} as the kernels see it: the layer widths
 * [in, hidden..., out], the hidden activation φ (a {@code Contract.ACT_*} code) and the
 * parameters packed in one buffer, layer by layer W [out, in] row-major then b [out] (the
 * layout {@link #weightOffset(int[], int)} defines for everyone).
 */
public record Network(int[] widths, int activation, Buffer parameters) {
    public Network {
        if (widths.length < 2) throw new IllegalArgumentException("widths: expected [in, ..., out], got " + Arrays.toString(widths));
        widths = widths.clone();
    }

    /** Where layer l's W starts in a packed parameter array of an MLP with these widths. */
    public static int weightOffset(int[] widths, int l) {
        long off = 0;
        for (int k = 0; k < l; k++) off += (long) widths[k] * widths[k + 1] + widths[k + 1];
        if (off > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("widths: more than 2^31 parameters");
        return (int) off;
    }

    /** Where layer l's b starts. */
    public static int biasOffset(int[] widths, int l) {
        return weightOffset(widths, l) + widths[l] * widths[l + 1];
    }

    /** Parameters of an MLP with these widths. */
    public static int parameterCount(int[] widths) {
        return weightOffset(widths, widths.length - 1);
    }

    @Override public int[] widths() { return widths.clone(); }

    public int depth() { return widths.length - 1; }

    public int width(int i) { return widths[i]; }

    public int inputs() { return widths[0]; }

    public int outputs() { return widths[widths.length - 1]; }

    /** The widest layer, input and output included. */
    public int maxWidth() { return Arrays.stream(widths).max().orElseThrow(); }

    /** The widest hidden layer (0 without one). */
    public int maxHidden() {
        int m = 0;
        for (int l = 1; l < depth(); l++) m = Math.max(m, widths[l]);
        return m;
    }

    public int weightOffset(int l) { return weightOffset(widths, l); }

    public int biasOffset(int l) { return biasOffset(widths, l); }

    public int parameterCount() { return parameterCount(widths); }

    /** φ for layer l: the activation for hidden layers, identity for the last. */
    public int activationOf(int l) { return l + 1 < depth() ? activation : Contract.ACT_IDENTITY; }
}
