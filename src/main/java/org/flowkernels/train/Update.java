package org.flowkernels.train;

/** An {@link Optimizer}'s state over a parameter vector of fixed length, and its step. */
final class Update {
    private final Optimizer optimizer;
    private final double[] first, second;
    private int steps;

    Update(Optimizer optimizer, int count) {
        this.optimizer = optimizer;
        first = new double[count];
        second = optimizer instanceof Optimizer.Adam ? new double[count] : null;
    }

    /** θ ← θ − η · (the optimizer's direction for g). */
    void apply(double[] theta, double[] g, double lr) {
        steps++;
        if (optimizer instanceof Optimizer.Adam a) {
            double c1 = 1 - Math.pow(a.beta1(), steps), c2 = 1 - Math.pow(a.beta2(), steps);
            for (int i = 0; i < theta.length; i++) {
                first[i] = a.beta1() * first[i] + (1 - a.beta1()) * g[i];
                second[i] = a.beta2() * second[i] + (1 - a.beta2()) * g[i] * g[i];
                theta[i] -= lr * (first[i] / c1) / (Math.sqrt(second[i] / c2) + a.epsilon());
            }
        } else {
            double mu = ((Optimizer.Sgd) optimizer).momentum();
            for (int i = 0; i < theta.length; i++) {
                first[i] = mu * first[i] + g[i];
                theta[i] -= lr * first[i];
            }
        }
    }
}
