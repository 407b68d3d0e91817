package org.flowkernels.ode;

import org.flowkernels.Backend;
import org.flowkernels.Check;

/**
 * A continuous normalizing flow as plain data: the field that carries the base N(0, I) at
 * {@code solve.t0()} to the data at {@code solve.t1()}, and how to integrate it (solver,
 * steps, trace, probe seed). {@link #on(Backend)} puts it on a backend to sample and to
 * evaluate densities ({@link CnfModule}).
 */
public record Cnf(VectorField field, Solve solve) {
    public Cnf {
        Check.notNull(field, "field");
        Check.notNull(solve, "solve");
        solve = solve.saveEvery(0);
    }

    public int dim() { return field.dim(); }

    /** The field's parameters uploaded to a backend. */
    public CnfModule on(Backend backend) {
        return new CnfModule(this, backend);
    }
}
