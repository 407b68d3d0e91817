package org.flowkernels.ode;

import org.flowkernels.Backend;
import org.flowkernels.Tensor;
import org.flowkernels.spi.Contract;
import org.flowkernels.spi.UserFieldKernels;

/** {@link Ode#solve} for a {@link UserField}: the trace's tangents chosen, then the backend's user-field kernels. */
final class UserFields {
    private UserFields() {}

    static Solution solve(UserField u, Backend backend, Tensor x0, Solve how) {
        UserFieldKernels kernels = backend.kernels(UserFieldKernels.class);
        UserFieldKernels.Field f = u.spec();
        kernels.path(f); // a field this backend cannot run is refused before anything is allocated
        if (how.execution() == Execution.PER_STEP)
            throw new IllegalArgumentException("execution: a user field runs fused (its code inside one kernel), got PER_STEP");
        boolean jvp = kernels.hasJvp(f);
        if (how.trace() instanceof Trace.Exact && !jvp)
            throw new IllegalArgumentException("trace: the exact trace of user field '" + u.name() + "' takes its Jacobian-vector "
                    + "product on " + backend.name() + " (" + (backend.name().equals("cpu") ? "a Java Jacobian: UserField.withJacobian"
                    : "a 'jvp' body in its snippet") + "), and it has none; use Hutchinson's estimator (Trace.rademacher(k) or "
                    + "Trace.gaussian(k)), which takes central differences of the velocity instead");
        int dim = u.dim();
        UserFieldKernels.Problem problem = new UserFieldKernels.Problem(f, how.solver().tableau(), how.steps(), (float) how.t0(),
                (float) how.h(), jvp ? Contract.USER_TRACE_JVP : Contract.USER_TRACE_FINITE_DIFFERENCE, how.trace().tangents(dim),
                how.trace().probeCode(), how.trace().weight(dim), (float) UserField.FD_STEP, how.seed(), Ode.PROBE_STREAM, how.saveEvery());
        return Ode.run(backend, x0, dim, how, Execution.FUSED, (x, dl, sx, sl) -> kernels.solve(problem, x, dl, sx, sl));
    }
}
