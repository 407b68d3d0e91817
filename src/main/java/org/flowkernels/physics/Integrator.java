package org.flowkernels.physics;

import org.flowkernels.spi.Contract;

/** The time steppers for Hamiltonian dynamics; codes are spi.Contract's INTEGRATOR_*. */
public enum Integrator {
    /** Kick-drift-kick leapfrog (velocity Verlet): symplectic, time-reversible, order 2, one
     *  gradient per step (the half kicks of neighbouring steps are merged). */
    LEAPFROG(Contract.INTEGRATOR_LEAPFROG, 2, 1, true),
    /** Yoshida's (1990) fourth-order composition of three leapfrog steps of w1 dt, w0 dt, w1 dt
     *  with w1 = 1/(2 - 2^(1/3)), w0 = -2^(1/3) w1: symplectic, time-reversible, three gradients. */
    YOSHIDA4(Contract.INTEGRATOR_YOSHIDA4, 4, 3, true),
    /** Classic Runge-Kutta on dq/dt = p/m, dp/dt = -dV/dq: order 4, four gradients per step,
     *  neither symplectic nor reversible, so its energy error drifts. For contrast. */
    RK4(Contract.INTEGRATOR_RK4, 4, 4, false);

    public final int code;
    private final int order, gradientsPerStep;
    private final boolean symplectic;

    Integrator(int code, int order, int gradientsPerStep, boolean symplectic) {
        this.code = code;
        this.order = order;
        this.gradientsPerStep = gradientsPerStep;
        this.symplectic = symplectic;
    }

    public int order() { return order; }

    public int gradientsPerStep() { return gradientsPerStep; }

    public boolean symplectic() { return symplectic; }

    /** Yoshida's weights (float64; the kernels round them to float32). */
    public static final double YOSHIDA_W1 = Contract.YOSHIDA_W1, YOSHIDA_W0 = Contract.YOSHIDA_W0;
}
