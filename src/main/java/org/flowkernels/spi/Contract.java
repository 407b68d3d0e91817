package org.flowkernels.spi;

/**
 * Every number the Java side and the kernels must agree on, defined here and nowhere else.
 * The build writes each public constant of this class into the kernels' generated header
 * ({@code include/contract.h}, see {@code backend.device.ContractHeader}) as a {@code #define}
 * of the same name, and the operations' enums take their codes from these fields, so a code
 * cannot drift between Java and C.
 */
public final class Contract {
    private Contract() {}

    /** nn.Activation: the hidden-layer nonlinearity φ. */
    public static final int ACT_IDENTITY = 0, ACT_TANH = 1, ACT_RELU = 2;

    /** rng.Distribution: what a Philox word becomes. */
    public static final int DIST_UNIFORM = 0, DIST_NORMAL = 1, DIST_RADEMACHER = 2;

    /** The trace's "probe distribution" when it is exact: unit vectors e_j instead of draws. */
    public static final int PROBE_EXACT = -1;

    /** flow.ScaleBound.Kind: how an affine coupling bounds its log-scale. */
    public static final int SCALE_NONE = 0, SCALE_TANH = 1, SCALE_SOFT_CLAMP = 2;

    /** physics.Potential: the built-in potentials' kinds (include/potentials.h switches on them). */
    public static final int POT_HARMONIC = 0, POT_HARMONIC_DIAG = 1, POT_CHAIN = 2, POT_COULOMB = 3,
            POT_LENNARD_JONES = 4, POT_DOUBLE_WELL = 5;

    /** physics.UserPotential: a potential given by the user, as a kernel snippet and/or Java code
     *  (include/user.h; its parameters are the user's named scalars, in declaration order). */
    public static final int POT_USER = 6;

    /** How the user-field kernels get each tangent J ε: the user's Jacobian-vector product, or
     *  central differences of the velocity (ode.UserField). */
    public static final int USER_TRACE_JVP = 0, USER_TRACE_FINITE_DIFFERENCE = 1;

    /** physics.Integrator. */
    public static final int INTEGRATOR_LEAPFROG = 0, INTEGRATOR_YOSHIDA4 = 1, INTEGRATOR_RK4 = 2;

    /** Yoshida's (1990) fourth-order weights: w1 dt, w0 dt, w1 dt leapfrog steps. */
    public static final double YOSHIDA_W1 = 1 / (2 - Math.cbrt(2)), YOSHIDA_W0 = -Math.cbrt(2) * YOSHIDA_W1;

    /** Philox streams of the Langevin kernels: the proposal noise ξ and MALA's accept uniforms. */
    public static final int NOISE_STREAM = 16, ACCEPT_STREAM = 17;

    /** Philox stream of HMC's momenta (its accept uniforms are ACCEPT_STREAM's, as MALA's). */
    public static final int HMC_MOMENTUM_STREAM = 18;

    /** An HMC trajectory whose H rises above its start by more than this has diverged: it stops and
     *  is rejected (Stan's threshold), instead of running on to overflow. */
    public static final double HMC_DIVERGENCE = 1000;

    /** Dual averaging of the step size (Hoffman and Gelman 2014, Algorithm 5): γ, t0, κ. */
    public static final double ADAPT_GAMMA = 0.05, ADAPT_T0 = 10, ADAPT_KAPPA = 0.75;

    /** Philox4x32-10's round multipliers and Weyl key increments (Salmon et al. 2011). */
    public static final int PHILOX_M0 = 0xD2511F53, PHILOX_M1 = 0xCD9E8D57, PHILOX_W0 = 0x9E3779B9, PHILOX_W1 = 0xBB67AE85;

    /** ln 2π, for log N(z; 0, I). */
    public static final double LOG_2PI = 1.8378770664093453;
}
