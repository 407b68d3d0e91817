package org.flowkernels.nn;

import java.util.Locale;

import org.flowkernels.spi.Contract;

/** The hidden-layer nonlinearity φ; its codes are spi.Contract's ACT_*. */
public enum Activation {
    IDENTITY(Contract.ACT_IDENTITY),
    TANH(Contract.ACT_TANH),
    RELU(Contract.ACT_RELU);

    public final int code;

    Activation(int code) { this.code = code; }

    /** φ in float64 (references and slow paths). */
    public double apply(double x) {
        return switch (this) {
            case IDENTITY -> x;
            case TANH -> Math.tanh(x);
            case RELU -> Math.max(x, 0.0);
        };
    }

    /** dφ/dx written in terms of y = φ(x), as the kernels compute it. */
    public double slopeFromOutput(double y) {
        return switch (this) {
            case IDENTITY -> 1.0;
            case TANH -> 1.0 - y * y;
            case RELU -> y > 0 ? 1.0 : 0.0;
        };
    }

    public static Activation parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("activation: expected identity, tanh or relu, got '" + name + "'");
        }
    }
}
