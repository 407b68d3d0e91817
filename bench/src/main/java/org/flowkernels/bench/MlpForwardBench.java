package org.flowkernels.bench;

import org.flowkernels.Tensor;
import org.flowkernels.backend.device.DeviceBackend;
import org.flowkernels.nn.Activation;
import org.flowkernels.nn.Mlp;
import org.flowkernels.nn.MlpModule;
import org.flowkernels.rng.Rng;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * mlp-w1: one forward pass of W1's conditioner (32 -> 256 -> 256 -> 64, tanh) over the batch,
 * with nn.Linear's initialisation from a fixed seed: the matrix products that dominate W1,
 * measured before the coupling layers exist.
 */
public class MlpForwardBench extends WorkloadBench {
    static final Mlp CONDITIONER = Mlp.random(1, Activation.TANH, 32, 256, 256, 64);

    private MlpModule net;
    private Tensor x, y;

    @Override
    protected void prepare() {
        net = CONDITIONER.on(backend());
        x = Rng.normal(backend(), batch(), 32, 2);
        y = backend().empty(batch(), 64);
        if (backend() instanceof DeviceBackend d && d.libraryGemm() != null)
            note("vendor GEMM (cuBLAS) for layers of at least 2^24 multiply-adds");
    }

    @Benchmark
    public void forward() {
        net.forward(x, y);
        backend().synchronize();
    }

    @Override
    protected void release() {
        y.close();
        x.close();
        net.close();
    }
}
