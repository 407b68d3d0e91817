package org.flowkernels.train;

import org.flowkernels.Check;

/** How a step moves the flat parameter vector θ along the gradient g, at learning rate η. */
public sealed interface Optimizer permits Optimizer.Adam, Optimizer.Sgd {
    /**
     * Adam (Kingma and Ba 2015) with bias-corrected moments:
     * m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2) g², θ ← θ − η m̂ / (√v̂ + ε).
     */
    record Adam(double beta1, double beta2, double epsilon) implements Optimizer {
        public Adam {
            unitInterval(beta1, "beta1");
            unitInterval(beta2, "beta2");
            Check.positiveFinite(epsilon, "epsilon");
        }
    }

    /** Stochastic gradient descent with heavy-ball momentum μ (0: plain SGD): u ← μ u + g, θ ← θ − η u. */
    record Sgd(double momentum) implements Optimizer {
        public Sgd {
            unitInterval(momentum, "momentum");
        }
    }

    /** PyTorch's defaults: β1 = 0.9, β2 = 0.999, ε = 1e-8. */
    static Adam adam() {
        return new Adam(0.9, 0.999, 1e-8);
    }

    static Sgd sgd() {
        return new Sgd(0);
    }

    private static void unitInterval(double v, String name) {
        if (!(v >= 0 && v < 1)) throw new IllegalArgumentException(name + ": expected a value in [0, 1), got " + v);
    }
}
