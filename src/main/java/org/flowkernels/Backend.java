package org.flowkernels;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.Memory;

/**
 * A place where tensors live and kernels run: the Java CPU backend, an OpenCL device or a
 * CUDA device. Obtain one from {@link Backends}; backends live as long as the process (one
 * per device, shared), so there is nothing to close.
 *
 * <p>Threads: a backend and its kernel families may be used from several threads at once.
 * The OpenCL backend serialises kernel launches (an OpenCL kernel object holds its arguments,
 * so two threads setting them at once would corrupt each other's launch); the CUDA backend
 * makes its context current on the calling thread before every driver call. A
 * {@link Tensor} is not synchronised: do not write one from two threads at once.
 */
public abstract class Backend {
    private final Map<Class<?>, Supplier<?>> factories = new ConcurrentHashMap<>();
    private final Map<Class<?>, Object> families = new ConcurrentHashMap<>();

    /** For backend implementations (users get backends from {@link Backends}). */
    protected Backend() {}

    /** The name {@link Backends#get(String)} takes: "cpu", "opencl:0", "cuda:0". */
    public abstract String name();

    public abstract DeviceInfo device();

    /** Raw memory, for kernel implementations; users work with {@link Tensor}s. */
    public abstract Memory memory();

    public boolean isGpu() {
        return device().type() == DeviceInfo.Type.GPU;
    }

    /**
     * This backend's implementation of a kernel family (an interface of org.flowkernels.spi,
     * such as {@code CouplingKernels.class}), made on first use. For the library's operations
     * and extensions; users call the operations.
     */
    public <K> K kernels(Class<K> family) {
        Object k = families.computeIfAbsent(family, f -> {
            Supplier<?> make = factories.get(f);
            if (make == null)
                throw new UnsupportedOperationException("backend " + name() + " has no implementation of " + f.getName());
            return make.get();
        });
        return family.cast(k);
    }

    /** How this backend makes a kernel family; each backend registers its own in its constructor. */
    protected final <K> void register(Class<K> family, Supplier<? extends K> make) {
        factories.put(family, make);
    }

    /** A new [rows, cols] tensor with undefined contents. */
    public Tensor empty(int rows, int cols) {
        Check.nonNegative(rows, "rows");
        Check.nonNegative(cols, "cols");
        Buffer b = memory().allocate(Buffer.Type.FLOAT32, (long) rows * cols);
        return new Tensor(this, rows, cols, b);
    }

    public Tensor zeros(int rows, int cols) {
        Tensor t = empty(rows, cols);
        memory().fill(t.buffer(), 0);
        return t;
    }

    /** A [rows, cols] tensor holding a copy of {@code data} (row-major, length rows * cols). */
    public Tensor tensor(float[] data, int rows, int cols) {
        Check.notNull(data, "data");
        Check.nonNegative(rows, "rows");
        Check.nonNegative(cols, "cols");
        if ((long) rows * cols != data.length)
            throw new IllegalArgumentException("data: expected rows * cols = " + rows + " * " + cols + " = "
                    + (long) rows * cols + " elements, got " + data.length);
        Tensor t = empty(rows, cols);
        t.copyFrom(data);
        return t;
    }

    /** A tensor from rows of equal length. */
    public Tensor tensor(float[][] rows) {
        Check.notNull(rows, "rows");
        int cols = rows.length == 0 ? 0 : rows[0].length;
        float[] flat = new float[rows.length * cols];
        for (int r = 0; r < rows.length; r++) {
            Check.notNull(rows[r], "rows[" + r + "]");
            if (rows[r].length != cols)
                throw new IllegalArgumentException("rows[" + r + "]: expected " + cols + " columns, got " + rows[r].length);
            System.arraycopy(rows[r], 0, flat, r * cols, cols);
        }
        return tensor(flat, rows.length, cols);
    }

    /** Device buffers allocated on this backend and not yet freed (tensors and scratch). */
    public long liveAllocations() {
        return memory().live();
    }

    /** Waits for every kernel issued so far (benchmarks time with this). */
    public void synchronize() {
        memory().synchronize();
    }

    @Override
    public String toString() {
        return name() + " [" + device().name() + "]";
    }
}
