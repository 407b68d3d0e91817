package org.flowkernels.ode;

import java.util.List;
import org.flowkernels.Check;
import org.flowkernels.nn.Activation;
import org.flowkernels.nn.Mlp;

/** v(x) = A x + b with A [dim, dim] row-major: the exact solution e^{tA} makes it the test field. */
public final class LinearField implements VectorField {
    private final int dim;
    private final Mlp network;

    public LinearField(int dim, float[] a, float[] b) {
        Check.positive(dim, "dim");
        Check.notNull(a, "a");
        Check.notNull(b, "b");
        if (a.length != (long) dim * dim)
            throw new IllegalArgumentException("a: expected [" + dim + ", " + dim + "] = " + dim * dim + " elements, got " + a.length);
        if (b.length != dim) throw new IllegalArgumentException("b: expected " + dim + " elements, got " + b.length);
        Check.allFinite(a, dim, "a");
        Check.allFinite(b, dim, "b");
        this.dim = dim;
        this.network = new Mlp(List.of(new Mlp.Layer(dim, dim, a.clone(), b.clone())), Activation.IDENTITY);
    }

    @Override public int dim() { return dim; }

    @Override public boolean timeInput() { return false; }

    @Override public Mlp network() { return network; }

    /** A copy of A, row-major. */
    public float[] a() { return network.layers().get(0).weight().clone(); }

    /** A copy of b. */
    public float[] b() { return network.layers().get(0).bias().clone(); }

    @Override
    public String toString() { return "LinearField[dim=" + dim + "]"; }
}
