/**
 * flowkernels: GPU kernels (CUDA, OpenCL) and a pure-Java CPU backend for the numerics of
 * generative models in physics. The API and the kernel-family SPI are exported; the backends
 * are not: they are found as {@link org.flowkernels.BackendProvider} services.
 */
module org.flowkernels {
    requires transitive com.google.gson; // io's model descriptions are Gson trees
    requires java.logging;
    // the native runtimes and the CPU's SIMD module are optional: a backend whose library is
    // missing reports why (Backends.available()), it does not stop the others
    requires static jocl;
    requires static jcuda;
    requires static jcublas;
    requires static jdk.incubator.vector;
    // the command-line tool's libraries (optional dependencies of the library)
    requires static info.picocli;
    requires static me.tongfei.progressbar;
    requires static org.knowm.xchart;
    requires static java.desktop;
    requires static java.compiler; // the CLI compiles a snippet's Java twin (--java FILE.java)

    exports org.flowkernels;
    exports org.flowkernels.spi;
    exports org.flowkernels.nn;
    exports org.flowkernels.flow;
    exports org.flowkernels.ode;
    exports org.flowkernels.physics;
    exports org.flowkernels.sample;
    exports org.flowkernels.rng;
    exports org.flowkernels.io;
    exports org.flowkernels.train;

    opens org.flowkernels.cli to info.picocli;

    uses org.flowkernels.BackendProvider;
    provides org.flowkernels.BackendProvider with org.flowkernels.backend.cpu.CpuProvider,
            org.flowkernels.backend.opencl.OpenClProvider, org.flowkernels.backend.cuda.CudaProvider;
}
