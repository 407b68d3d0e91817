package org.flowkernels.bench;

import org.flowkernels.Tensor;
import org.flowkernels.backend.cpu.CpuBackend;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * transfer-h2d and transfer-d2h: the copies between a Java float[] and a tensor that every
 * host round trip pays, at the size of a W1 batch of 64-dimensional samples. On the CPU
 * backend this is a copy inside the host's memory, the baseline the device figures compare with.
 */
public class TransferBench extends WorkloadBench {
    private float[] host;
    private Tensor device;

    @Override
    protected void prepare() {
        host = new float[batch() * 64];
        for (int i = 0; i < host.length; i++) host[i] = i % 1000;
        device = backend().tensor(host, batch(), 64);
        if (!(backend() instanceof CpuBackend))
            note("pageable Java heap array (JCuda/JOCL pass the array; no pinned staging buffer)");
    }

    @Benchmark
    public void hostToDevice() {
        device.copyFrom(host);
        backend().synchronize();
    }

    @Benchmark
    public void deviceToHost() {
        backend().memory().read(device.buffer(), 0, host, 0, host.length);
    }

    @Override
    protected void release() {
        device.close();
    }
}
