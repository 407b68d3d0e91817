package org.flowkernels.backend.device;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.flowkernels.Backend;
import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.CouplingKernels;
import org.flowkernels.spi.HamiltonianKernels;
import org.flowkernels.spi.HmcKernels;
import org.flowkernels.spi.LangevinKernels;
import org.flowkernels.spi.NnKernels;
import org.flowkernels.spi.OdeKernels;
import org.flowkernels.spi.PotentialKernels;
import org.flowkernels.spi.PotentialSpec;
import org.flowkernels.spi.RngKernels;
import org.flowkernels.spi.TrainKernels;
import org.flowkernels.spi.UserFieldKernels;

/**
 * What the OpenCL and CUDA backends share: both run the same kernel bodies, so a kernel
 * family is implemented once against this class, which launches a kernel from its typed
 * argument record ({@link Kernels}).
 */
public abstract class DeviceBackend extends Backend {
    /** The kernel families, implemented once for both runtimes. */
    protected DeviceBackend() {
        register(RngKernels.class, () -> new DeviceRngKernels(this));
        DeviceNnKernels nn = new DeviceNnKernels(this);
        register(NnKernels.class, () -> nn);
        register(CouplingKernels.class, () -> new DeviceCouplingKernels(this, nn));
        register(OdeKernels.class, () -> new DeviceOdeKernels(this, nn));
        register(PotentialKernels.class, () -> new DevicePotentialKernels(this));
        register(HamiltonianKernels.class, () -> new DeviceHamiltonianKernels(this));
        register(LangevinKernels.class, () -> new DeviceLangevinKernels(this, nn));
        register(HmcKernels.class, () -> new DeviceHmcKernels(this));
        register(UserFieldKernels.class, () -> new DeviceUserFieldKernels(this));
        register(TrainKernels.class, () -> new DeviceTrainKernels(this, nn));
    }

    /** Programs built for users' snippets, by {@link UserProgram#key()}. */
    private final Map<String, Object> userPrograms = new ConcurrentHashMap<>();

    /**
     * The program whose kernels run potential {@code v}: null (the library's own) for a built-in
     * one; for a user's, the library's kernels built with its snippet, compiled on first use and
     * cached (one build per distinct snippet). Throws IllegalArgumentException for a user
     * potential without a snippet, and the {@link org.flowkernels.SnippetException} of a failed build.
     */
    public Object program(PotentialSpec v) {
        PotentialSpec.User u = v.user();
        if (u == null) return null;
        if (u.snippet() == null)
            throw new IllegalArgumentException(v.describe() + ": " + name() + " runs a user potential from its kernel snippet, and "
                    + "this one has only Java code (which the CPU backend runs); give it a snippet (UserPotential.snippet or .pairs)");
        return built(UserProgram.key(u), () -> UserProgram.potential(u));
    }

    /** As {@link #program(PotentialSpec)} for a user's vector field: its snippet's program (user_field.cl). */
    public Object program(UserFieldKernels.Field f) {
        if (f.snippet() == null)
            throw new IllegalArgumentException("user field '" + f.name() + "': " + name() + " runs a user field from its kernel snippet, "
                    + "and this one has only Java code (which the CPU backend runs); give it a snippet (UserField.snippet)");
        return built(UserProgram.key(f), () -> UserProgram.field(f));
    }

    private Object built(String key, java.util.function.Supplier<UserProgram> program) {
        Object built = userPrograms.get(key);
        if (built == null) {
            synchronized (userPrograms) {
                built = userPrograms.get(key);
                if (built == null) userPrograms.put(key, built = compile(program.get()));
            }
        }
        return built;
    }

    /** Builds a user's program (its {@link UserProgram#source()}); a failure throws {@link UserProgram#failure}. */
    protected abstract Object compile(UserProgram program);

    /** The parameters of potential {@code v} on the device; a user potential's are followed by the
     *  two ints of the bounds check (include/user.h), zero. */
    public Buffer upload(PotentialSpec v) {
        float[] p = v.parameters();
        return memory().upload(v.user() == null ? p : java.util.Arrays.copyOf(p, p.length + 2));
    }

    /** After a launch with {@link #upload}ed parameters: throws the bounds-checked build's record of an out-of-range index. */
    public void checkUser(PotentialSpec v, Buffer prm) {
        if (v.user() == null || !v.user().boundsChecked()) return;
        int[] record = new int[2];
        memory().read(prm, prm.length() - 2, record, 0, 2);
        var e = UserProgram.violation(v.user().snippet(), UserProgram.bodies(v.user()), record[0], record[1]);
        if (e != null) throw e;
    }

    /** The parameters of a user field, followed by the bounds check's two ints. */
    public Buffer upload(UserFieldKernels.Field f) {
        float[] p = f.parameters();
        return memory().upload(java.util.Arrays.copyOf(p, p.length + 2));
    }

    /** After a launch of a bounds-checked user field: throws the record of an out-of-range index. */
    public void checkUser(UserFieldKernels.Field f, Buffer prm) {
        if (!f.boundsChecked()) return;
        int[] record = new int[2];
        memory().read(prm, prm.length() - 2, record, 0, 2);
        var e = UserProgram.violation(f.snippet(), UserProgram.bodies(f), record[0], record[1]);
        if (e != null) throw e;
    }

    /** 1-D launch of kernel {@code args}, at least {@code n} work-items in groups of {@link #workGroup()}. */
    public void launch(Kernels.Args args, long n) {
        launch(args, "", n, workGroup());
    }

    /**
     * 1-D launch of the build {@code name + suffix} (suffix "" or, for kernels built for several
     * sizes, "_64", ...), at least {@code n} work-items rounded up to {@code local}; kernels
     * guard the tail.
     */
    public void launch(Kernels.Args args, String suffix, long n, int local) {
        launch(null, args, suffix, n, local);
    }

    /** As {@link #launch(Kernels.Args, String, long, int)}, from {@code program} ({@link #program}; null: the library's). */
    public void launch(Object program, Kernels.Args args, String suffix, long n, int local) {
        if (n <= 0) return;
        run(program, args, suffix, new long[] {roundUp(n, local)}, new int[] {local});
    }

    /** 2-D launch: global sizes rounded up to the work-group. */
    public void launch2d(Kernels.Args args, long nx, long ny, int lx, int ly) {
        if (nx <= 0 || ny <= 0) return;
        run(null, args, "", new long[] {roundUp(nx, lx), roundUp(ny, ly)}, new int[] {lx, ly});
    }

    private void run(Object program, Kernels.Args args, String suffix, long[] global, int[] local) {
        String kernel = KernelSignatures.name(args.getClass()) + suffix;
        Object[] values = KernelSignatures.values((Record) args);
        for (int i = 0; i < values.length; i++)
            if (values[i] instanceof Buffer b && b.isFreed())
                throw new IllegalStateException(kernel + ": argument " + i + " is a freed buffer");
        enqueue(program, kernel, global, local, values);
    }

    /**
     * Runs the kernel of {@code program} (null: the library's own; else what {@link #compile}
     * returned); global sizes are multiples of the local ones. Arguments: {@link Buffer} (a
     * pointer), Integer, Float, Long, and at most one {@link Kernels.LocalBytes} (dynamic local
     * memory, last).
     */
    protected abstract void enqueue(Object program, String kernel, long[] global, int[] local, Object[] args);

    /** The work-group size 1-D kernels use on this device. */
    public int workGroup() { return 128; }

    /**
     * Local (shared) memory one work-group may take, in bytes: what the fused kernels size their
     * tiles by. 32 KiB, the least OpenCL 1.2 guarantees a GPU and less than CUDA's 48 KiB
     * without opting in; a backend that knows its device may say more.
     */
    public long localMemoryBytes() { return 32 * 1024; }

    private volatile Scratch.Cache scratch;

    private Scratch.Cache cache() {
        Scratch.Cache c = scratch;
        if (c == null)
            synchronized (this) {
                if ((c = scratch) == null)
                    scratch = c = new Scratch.Cache(memory(), Math.max(64L << 20, device().memoryBytes() / 8));
            }
        return c;
    }

    /** Scratch buffers for one call, reused across calls (see {@link Scratch}); close it when the call ends. */
    public Scratch scratch() {
        return new Scratch(cache());
    }

    /** Frees the idle scratch buffers this backend keeps (they are otherwise kept up to an eighth of the device's memory). */
    public void releaseScratch() {
        cache().clear();
    }

    /** Live allocations less the idle scratch buffers the backend keeps for reuse (see {@link Scratch.Cache}). */
    @Override
    public long liveAllocations() {
        return cache().liveOutsideCache();
    }

    /** Idle scratch buffers kept now (tests). */
    int idleScratch() {
        return cache().idleCount();
    }

    /** A vendor GEMM: y[n, out] = x[n, in] W[out, in]^T, all row-major float32, W at element
     *  offset wOffset of its buffer. */
    public interface LibraryGemm {
        void xwt(Buffer x, Buffer w, int wOffset, Buffer y, int n, int in, int out);
    }

    /** The vendor GEMM where the backend has one (cuBLAS on CUDA, when it loads), else null. */
    public LibraryGemm libraryGemm() { return null; }

    static long roundUp(long n, int m) {
        return (n + m - 1) / m * m;
    }
}
