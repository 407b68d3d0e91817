package org.flowkernels.train;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The optimizers' updates and the schedules against values worked out by hand. */
class OptimizerTest {
    /** Adam's first step has m̂ = g and v̂ = g²: every parameter moves by η g / (|g| + ε); the second by η m̂ / (√v̂ + ε). */
    @Test
    void adamStepsFromTheBiasCorrectedMoments() {
        Update u = new Update(new Optimizer.Adam(0.9, 0.999, 1e-8), 3);
        double[] theta = {1, 2, 3}, g1 = {0.5, -2, 0}, g2 = {1, 1, 4};
        u.apply(theta, g1, 0.1);
        assertArrayEquals(new double[] {1 - 0.1 * 0.5 / (0.5 + 1e-8), 2 + 0.1 * 2 / (2 + 1e-8), 3}, theta, 1e-15);
        double[] before = theta.clone();
        u.apply(theta, g2, 0.1);
        for (int i = 0; i < 3; i++) {
            double m = (0.9 * 0.1 * g1[i] + 0.1 * g2[i]) / (1 - 0.81), v = (0.999 * 0.001 * g1[i] * g1[i] + 0.001 * g2[i] * g2[i]) / (1 - 0.998001);
            assertEquals(before[i] - 0.1 * m / (Math.sqrt(v) + 1e-8), theta[i], 1e-14, "parameter " + i);
        }
    }

    @Test
    void sgdWithMomentumAccumulatesTheGradients() {
        Update u = new Update(new Optimizer.Sgd(0.5), 2);
        double[] theta = {0, 0};
        u.apply(theta, new double[] {1, -2}, 0.1);
        assertArrayEquals(new double[] {-0.1, 0.2}, theta, 1e-15);
        u.apply(theta, new double[] {1, -2}, 0.1); // u = 0.5 g + g
        assertArrayEquals(new double[] {-0.25, 0.5}, theta, 1e-15);
    }

    @Test
    void cosineDecaysToZeroAtTheLastStep() {
        LearningRate c = LearningRate.cosine(2e-3, 100);
        assertEquals(2e-3, c.at(0), 0);
        assertEquals(1e-3, c.at(50), 1e-18);
        assertEquals(2e-3 * (1 + Math.cos(Math.PI * 0.9)) / 2, c.at(90), 1e-18);
        assertEquals(0, c.at(100), 0);
        assertEquals(0, c.at(150), 0);
        assertEquals(5e-4, LearningRate.constant(5e-4).at(12345), 0);
    }

    /** The reported norm is the gradient's; the step uses the gradient scaled to the clip norm (SGD: θ moves by η · clip). */
    @Test
    void clippingScalesTheStepNotTheReport() {
        org.flowkernels.flow.CouplingFlow flow = org.flowkernels.flow.CouplingFlow.realNvp(4, 2, 1, 8);
        TrainOptions o = TrainOptions.of(org.flowkernels.Backends.cpu()).withOptimizer(Optimizer.sgd()).withRate(LearningRate.constant(1e-2));
        Trainer free = Trainer.variationalFreeEnergy(flow, org.flowkernels.physics.Potential.coulombGas(2), 1, o);
        Trainer clipped = Trainer.variationalFreeEnergy(flow, org.flowkernels.physics.Potential.coulombGas(2), 1, o.withClipNorm(1e-3));
        double[] start = clipped.parameters();
        TrainStep a = free.step(), b = clipped.step();
        assertEquals(a.gradientNorm(), b.gradientNorm(), 0, "the same batch, the same gradient");
        assertTrue(a.gradientNorm() > 1e-3, "the clip bites: " + a.gradientNorm());
        double moved = 0;
        double[] end = clipped.parameters();
        for (int i = 0; i < end.length; i++) moved += (end[i] - start[i]) * (end[i] - start[i]);
        assertEquals(1e-2 * 1e-3, Math.sqrt(moved), 1e-12);
    }
}
