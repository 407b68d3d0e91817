package org.flowkernels.spi;

/** MLPs on one backend. Shapes are checked by the caller. */
public interface NnKernels {
    /** y [n, outputs] = net(x [n, inputs]). */
    void forward(Network net, Matrix x, Matrix y);
}
