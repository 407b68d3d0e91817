package org.flowkernels.train;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The schedules against values worked out by hand, and clipping (the rules themselves: TrainKernelsContractTest). */
class OptimizerTest {
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
        // θ is float32 on every backend: each coordinate's end is rounded by up to half an ulp, so
        // the distance moved is off by up to the norm of those (~1e-8 here, against 1e-5 moved)
        double moved = 0, rounding = 0;
        double[] end = clipped.parameters();
        for (int i = 0; i < end.length; i++) {
            moved += (end[i] - start[i]) * (end[i] - start[i]);
            rounding += Math.pow(Math.ulp((float) end[i]) / 2, 2);
        }
        assertEquals(1e-2 * 1e-3, Math.sqrt(moved), Math.sqrt(rounding));
    }
}
