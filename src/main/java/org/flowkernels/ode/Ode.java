package org.flowkernels.ode;

import org.flowkernels.Backend;
import org.flowkernels.Check;
import org.flowkernels.Tensor;
import org.flowkernels.spi.OdeKernels;

/**
 * Solves dx/dt = v(x, t) together with d Δlogp/dt = −tr(∂v/∂x) (the change of log-density
 * along a trajectory) for a batch of initial states, in one call:
 * <pre>{@code
 * try (FieldModule f = field.on(backend); Solution s = Ode.solve(f, x0, Solve.rk4(0, 1, 100))) { ... }
 * }</pre>
 * The field, the solver and the step rule are separate ({@link VectorField}, {@link Solver},
 * {@link Solve}); the backend's {@link OdeKernels} run it, fused where the field allows.
 *
 * <p>Random numbers: Hutchinson's probe j of sample i is coordinate-for-coordinate Philox
 * counter (i, j, d / 4, {@link #PROBE_STREAM}) under the key {@code how.seed()}.
 */
public final class Ode {
    /** The Philox stream of Hutchinson's probes ("ODE", 1). */
    public static final int PROBE_STREAM = 0x4F444501;

    private Ode() {}

    /** Integrates x0 [n, D] (left unchanged) as {@code how} says; returns a new solution. */
    public static Solution solve(FieldModule field, Tensor x0, Solve how) {
        Check.notNull(field, "field");
        Check.notNull(how, "how");
        Backend backend = field.backend();
        if (field.parameters().isClosed()) throw new IllegalStateException("field: module is closed");
        Check.tensor(x0, backend, field.field().dim(), "x0");
        if (field.field() instanceof UserField u) return UserFields.solve(u, backend, x0, how);
        OdeKernels kernels = backend.kernels(OdeKernels.class);
        Execution ran = choose(kernels, field, how);
        return run(backend, x0, field.field().dim(), how, ran, (x, dl, sx, sl) -> kernels.solve(problem(field, how), x, dl, sx, sl,
                ran == Execution.FUSED));
    }

    /** The kernel call of a solve, into its outputs (x holds x0 on entry). */
    interface Kernel {
        void solve(Tensor x, Tensor dl, Tensor sx, Tensor sl);
    }

    /**
     * The outputs of a solve of x0 [n, D] (x, Δlogp and, when {@code how} saves them, the
     * snapshots), x0 copied into x, the kernel run on them; the outputs are closed if it throws.
     */
    static Solution run(Backend backend, Tensor x0, int D, Solve how, Execution ran, Kernel kernel) {
        int n = x0.rows(), S = how.snapshots();
        Tensor x = null, dl = null, sx = null, sl = null;
        try {
            x = backend.empty(n, D);
            dl = backend.empty(n, 1);
            if (S > 0) {
                sx = backend.empty(Math.multiplyExact(S, n), D);
                sl = backend.empty(S * n, 1);
            }
            if (n > 0) {
                backend.memory().copy(x0.buffer(), 0, x.buffer(), 0, (long) n * D);
                kernel.solve(x, dl, sx, sl);
            }
            return new Solution(x, dl, sx, sl, how, ran);
        } catch (RuntimeException e) {
            for (Tensor t : new Tensor[] {x, dl, sx, sl}) if (t != null) t.close();
            throw e;
        }
    }

    /** The path a solve of {@code how} would take with this field. */
    public static Execution execution(FieldModule field, Solve how) {
        if (field.field() instanceof UserField) return Execution.FUSED;
        return choose(field.backend().kernels(OdeKernels.class), field, how);
    }

    private static Execution choose(OdeKernels kernels, FieldModule field, Solve how) {
        int dim = field.field().dim();
        String limit = kernels.fusedLimit(field.network(), dim, how.trace().tangents(dim));
        return switch (how.execution()) {
            case AUTO -> limit == null ? Execution.FUSED : Execution.PER_STEP;
            case FUSED -> {
                if (limit != null)
                    throw new IllegalArgumentException("execution: FUSED asked for, but on " + field.backend().name() + " " + limit);
                yield Execution.FUSED;
            }
            case PER_STEP -> Execution.PER_STEP;
        };
    }

    /** The solve as the kernels take it. */
    private static OdeKernels.Problem problem(FieldModule field, Solve how) {
        int dim = field.field().dim();
        return new OdeKernels.Problem(field.network(), dim, field.field().timeInput(), field.zeroBiasOffset(),
                how.solver().tableau(), how.steps(), (float) how.t0(), (float) how.h(), how.trace().tangents(dim),
                how.trace().probeCode(), how.trace().weight(dim), how.seed(), PROBE_STREAM, how.saveEvery());
    }
}
