package org.flowkernels.flow;

import java.util.Locale;
import org.flowkernels.Check;
import org.flowkernels.spi.Contract;

/**
 * How an affine coupling turns its conditioner's raw scale output o into the log-scale s
 * (x_t = z_t exp(s) + t). Unbounded scales are the first source of NaNs in users' flows, so
 * the default bounds them: {@link #TANH} (s = tanh o, WORKLOADS.md W1), {@link #softClamp}
 * (s = c tanh(o / c): identity near 0, |s| < c), or {@link #NONE} (s = o).
 *
 * @param clamp c for {@link Kind#SOFT_CLAMP}; 0 for the other kinds
 */
public record ScaleBound(Kind kind, double clamp) {
    /** Codes: spi.Contract's SCALE_*. */
    public enum Kind {
        NONE(Contract.SCALE_NONE), TANH(Contract.SCALE_TANH), SOFT_CLAMP(Contract.SCALE_SOFT_CLAMP);

        public final int code;

        Kind(int code) { this.code = code; }
    }

    public static final ScaleBound NONE = new ScaleBound(Kind.NONE, 0);
    public static final ScaleBound TANH = new ScaleBound(Kind.TANH, 0);

    public ScaleBound {
        Check.notNull(kind, "kind");
        if (kind == Kind.SOFT_CLAMP) Check.positiveFinite(clamp, "clamp");
        else if (clamp != 0)
            throw new IllegalArgumentException("clamp: expected 0 for scale bound " + kind + ", got " + clamp);
    }

    /** s = c tanh(o / c). */
    public static ScaleBound softClamp(double c) {
        return new ScaleBound(Kind.SOFT_CLAMP, c);
    }

    /** s(o) in float64 (references). */
    public double apply(double o) {
        return switch (kind) {
            case NONE -> o;
            case TANH -> Math.tanh(o);
            case SOFT_CLAMP -> clamp * Math.tanh(o / clamp);
        };
    }

    /** "tanh", "none", "soft_clamp": the names of the flow description (flow.json). */
    public String id() {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return kind == Kind.SOFT_CLAMP ? "soft_clamp(" + clamp + ")" : id();
    }
}
