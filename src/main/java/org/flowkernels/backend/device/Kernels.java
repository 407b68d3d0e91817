package org.flowkernels.backend.device;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.Matrix;

/**
 * The parameters of every device kernel, declared once, here. Each record is one kernel's
 * argument list, in order; {@link ContractHeader} writes it into include/contract.h as
 * {@code NAME_ARGS} (the C parameter list, for the kernel's signature) and {@code NAME_PASS}
 * (the names, to hand them on), and {@link DeviceBackend#launch(Args, long)} passes a
 * record's components in the same order. So a launch is typed, and the Java side and the
 * kernel cannot disagree on an argument's place or type.
 *
 * <p>C types: a {@link Buffer} or {@link Matrix} is {@code GLOBAL REAL*} ({@link In}: const;
 * {@link Ints}: int elements; {@link Words}: uint); int is int ({@link Unsigned}: uint);
 * float is REAL; a {@link LocalBytes} is the kernel's dynamic local memory ({@code LOCAL_ARG},
 * last); a nested {@link Group} is spliced in. Names: camelCase becomes snake_case (an
 * all-capitals name stays as it is).
 */
public final class Kernels {
    private Kernels() {}

    /** One kernel's arguments. */
    public interface Args {}

    /** Arguments several kernels share, spliced into theirs (its own NAME_ARGS / NAME_PASS serve helper functions). */
    public interface Group {}

    /** The kernel's name (or its base name, when the host picks a build by suffix). */
    @Retention(RetentionPolicy.RUNTIME) @Target(ElementType.TYPE)
    public @interface Name { String value(); }

    /** A read-only array: {@code GLOBAL const T*}. */
    @Retention(RetentionPolicy.RUNTIME) @Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
    public @interface In {}

    /** An array of int. */
    @Retention(RetentionPolicy.RUNTIME) @Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
    public @interface Ints {}

    /** An array of uint (raw Philox words). */
    @Retention(RetentionPolicy.RUNTIME) @Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
    public @interface Words {}

    /** A uint scalar (seed halves, Philox counter words). */
    @Retention(RetentionPolicy.RUNTIME) @Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
    public @interface Unsigned {}

    /** Dynamic local (shared) memory of one launch, in bytes. */
    public record LocalBytes(long bytes) {}

    // ---------------------------------------------------------------- rng.cl

    @Name("philox_fill")
    public record PhiloxFill(Matrix out, int rows, int cols, @Unsigned int seedLo, @Unsigned int seedHi, @Unsigned int stream,
                             @Unsigned int step, int dist) implements Args {}

    @Name("philox_raw")
    public record PhiloxRaw(@In @Words Buffer in, @Words Buffer out, int n) implements Args {}

    // ---------------------------------------------------------------- linear.cl

    @Name("linear_forward")
    public record LinearForward(@In Buffer x, @In Buffer P, int wOff, int bOff, Buffer y, int n, int in, int out, int act)
            implements Args {}

    @Name("bias_activate")
    public record BiasActivate(Buffer y, @In Buffer P, int bOff, int n, int out, int act) implements Args {}

    // ---------------------------------------------------------------- peak.cl (bench/)

    @Name("peak_fma")
    public record PeakFma(Matrix out, int n, int iters, float a, float b) implements Args {}

    // ---------------------------------------------------------------- coupling.cl

    /** Row teams of {@code lanes} (include/rows.h); red: 2 work-group-size REALs. */
    @Name("coupling_begin")
    public record CouplingBegin(@In Matrix in, Buffer state, Matrix ld, @In @Ints Buffer idx, int condOff, int dc, Buffer cond,
                                int n, int D, int base, int lanes, LocalBytes red) implements Args {}

    @Name("coupling_update")
    public record CouplingUpdate(Buffer state, @In Buffer o, Matrix ld, @In @Ints Buffer idx, int transOff, int dt, int affine,
                                 int bound, float clamp, int inverse, float ldSign, int nextOff, int nextDc, Buffer cond, int n,
                                 int D, int base, int lanes, LocalBytes red) implements Args {}

    @Name("coupling_output")
    public record CouplingOutput(@In Buffer state, Matrix out, @In @Ints Buffer idx, int mapOff, int n, int D) implements Args {}

    @Name("coupling_first_nonfinite")
    public record CouplingFirstNonfinite(@In Matrix x, int n, int D, @Ints Buffer first) implements Args {}

    // ---------------------------------------------------------------- train.cl

    @Name("train_cotangent")
    public record TrainCotangent(@In Matrix dout, @In Matrix w, int hasW, float outScale, float ldScale, @In @Ints Buffer idx,
                                 int mapOff, int mapped, Buffer g, Buffer dld, int n, int D) implements Args {}

    @Name("train_coupling_backward")
    public record TrainCouplingBackward(Buffer g, @In Buffer o, @In Buffer before, @In Buffer dlogdet, @In @Ints Buffer idx,
                                        int transOff, int dt, int affine, int bound, float clamp, int inverse, Buffer dy, int n,
                                        int D) implements Args {}

    @Name("train_weight_gradient")
    public record TrainWeightGradient(@In Buffer dy, @In Buffer a, Buffer partial, int n, int in, int out, int rowsPerSplit)
            implements Args {}

    @Name("train_weight_sum")
    public record TrainWeightSum(@In Buffer partial, int splits, Buffer grad, int wOff, int bOff, int in, int out)
            implements Args {}

    @Name("train_input_gradient")
    public record TrainInputGradient(@In Buffer dy, @In Buffer P, int wOff, @In Buffer a, Buffer dx, Buffer g,
                                     @In @Ints Buffer idx, int condOff, int scatter, int act, int n, int in, int out, int D)
            implements Args {}

    @Name("train_sum_squares")
    public record TrainSumSquares(@In Buffer x, int n, int parts, int squares, Buffer partial) implements Args {}

    @Name("train_update")
    public record TrainUpdate(Buffer theta, @In Buffer grad, Buffer first, Buffer second, int n, int adam, float rate,
                              float scale, float beta1, float beta2, float epsilon, float c1, float c2, float momentum)
            implements Args {}

    // ---------------------------------------------------------------- potentials.cl

    /** The rows and outputs of potential_evaluate (its helper takes them as POTENTIAL_RUN_ARGS). */
    @Name("potential_run")
    public record PotentialRun(@In Matrix q, int rows, int n, int kind, @In Buffer prm, Matrix energy, Matrix grad, int wantGrad)
            implements Group {}

    /** potential_evaluate_single and _strided, in a {@link DevicePotentialKernels.Layout}. */
    @Name("potential_evaluate")
    public record PotentialEvaluate(PotentialRun run, int sdim, int lanes, LocalBytes smem) implements Args {}

    /** user_potential_evaluate_64 and _1024 (user_potential.cl: a user's potential, a row per work-item). */
    @Name("user_potential_evaluate")
    public record UserPotentialEvaluate(PotentialRun run) implements Args {}

    // ---------------------------------------------------------------- hamiltonian.cl

    /** One launch of a Hamiltonian run (the helpers of hamiltonian.cl take it as HAM_RUN_ARGS). */
    @Name("ham_run")
    public record HamRun(Matrix qIo, Matrix pIo, int batch, int n, int kind, @In Buffer prm, @In Buffer invMass, float dt,
                         int start, int steps, int every, int integrator, Matrix energies, int records, Matrix snapQ,
                         Matrix snapP, int snapshots, Matrix maxErr) implements Group {}

    /** hamiltonian_splitting_* and hamiltonian_rk4_* (builds _single and _strided), in a {@link DevicePotentialKernels.Layout}. */
    @Name("hamiltonian")
    public record Hamiltonian(HamRun run, int sdim, int lanes, LocalBytes smem) implements Args {}

    /** user_hamiltonian_splitting_* and user_hamiltonian_rk4_* (builds _64 and _1024; user_potential.cl). */
    @Name("user_hamiltonian")
    public record UserHamiltonian(HamRun run) implements Args {}

    // ---------------------------------------------------------------- langevin.cl

    /** What every Langevin kernel takes (see langevin.cl's header). */
    @Name("lgv_common")
    public record LgvCommon(Matrix x, int chains, int n, int cols, Buffer epsG, Buffer dual, @Ints Buffer accepted, Buffer mean,
                            Buffer m2, @Ints Buffer bad, Buffer snaps, @Unsigned int seedLo, @Unsigned int seedHi, int first,
                            int steps, int adaptEnd, float target, float adaptMu, int statsStart, int statsEvery, int snapEvery,
                            int snapBase, int snapCount) implements Group {}

    /** A tile of {@code tile} chains per work-group; lm: the tile's local memory (MlpTile). */
    @Name("langevin_score_fused")
    public record LangevinScoreFused(LgvCommon common, float sigma, @In Buffer P, @In @Ints Buffer widths, int depth, int act,
                                     int tile, LocalBytes lm) implements Args {}

    @Name("langevin_score_concat")
    public record LangevinScoreConcat(@In Matrix x, Buffer inp, int chains, int n, float sigma) implements Args {}

    @Name("langevin_score_step")
    public record LangevinScoreStep(LgvCommon common, @In Buffer score, Buffer inp, int lanes, LocalBytes red) implements Args {}

    @Name("langevin_merge")
    public record LangevinMerge(@In Buffer mean, @In Buffer m2, int chains, int cols, float k, Buffer out, LocalBytes red)
            implements Args {}

    /** langevin_potential_ula_* and langevin_potential_mala_* (builds _single and _strided), in a
     *  {@link DevicePotentialKernels.Layout}. */
    @Name("langevin_potential")
    public record LangevinPotential(LgvCommon common, int kind, @In Buffer prm, float beta, int sdim, int lanes, LocalBytes smem)
            implements Args {}

    /** user_langevin_potential_ula_* and _mala_* (builds _64 and _1024; user_potential.cl: a chain per work-item). */
    @Name("user_langevin_potential")
    public record UserLangevinPotential(LgvCommon common, int kind, @In Buffer prm, float beta) implements Args {}

    // ---------------------------------------------------------------- hmc.cl

    /** hmc_potential_CAP (CAP 64, 1024): HMC iterations of {@code leapfrog} leapfrog steps each. */
    @Name("hmc_potential")
    public record HmcPotential(LgvCommon common, int kind, @In Buffer prm, float beta, int leapfrog) implements Args {}

    // ---------------------------------------------------------------- user_field.cl (programs built for a user's field)

    @Name("user_field_solve")
    public record UserFieldSolve(Matrix xIo, Matrix dlogp, @In Buffer prm, @In Buffer tableau, int stages, int steps, float t0, float h,
                                 int traceMode, int tangents, int probeDist, float traceWeight, float fdStep, @Unsigned int seedLo,
                                 @Unsigned int seedHi, @Unsigned int stream, int saveEvery, Matrix snapX, Matrix snapL, int n, int D)
            implements Args {}

    // ---------------------------------------------------------------- cnf.cl

    @Name("ode_gaussian_logp")
    public record OdeGaussianLogp(@In Matrix z, @In Matrix delta, float sign, Matrix out, int n, int D, int lanes, LocalBytes red)
            implements Args {}

    @Name("ode_solve_fused")
    public record OdeSolveFused(Matrix x, Matrix dlogp, @In Buffer P, @In @Ints Buffer widths, int depth, int act, int timeInput,
                                @In Buffer tableau, int stages, int steps, float t0, float h, int tangents, int probeDist,
                                float traceWeight, @Unsigned int seedLo, @Unsigned int seedHi, @Unsigned int stream,
                                int saveEvery, Matrix snapX, Matrix snapL, int n, int tile, LocalBytes lm) implements Args {}

    @Name("ode_probes")
    public record OdeProbes(Buffer e, int n, int D, int cols, int tangents, int probeDist, @Unsigned int seedLo,
                            @Unsigned int seedHi, @Unsigned int stream) implements Args {}

    @Name("ode_stage_input")
    public record OdeStageInput(@In Matrix x, @In Buffer k, float ah, float t, Buffer xin, int n, int D, int cols)
            implements Args {}

    @Name("ode_tangent_slope")
    public record OdeTangentSlope(@In Buffer src, @In Buffer a, Buffer dst, int n, int rows, int width, int act) implements Args {}

    @Name("ode_probe_back")
    public record OdeProbeBack(@In Buffer e, int ecols, @In Buffer P, int wOff, Buffer u, int rows, int D, int width)
            implements Args {}

    @Name("ode_stage_update")
    public record OdeStageUpdate(@In Buffer v, @In Buffer t, int ts, @In Buffer u, int us, int width, Buffer acc, Buffer accl,
                                 Matrix x, Matrix dlogp, int n, int D, int tangents, float traceWeight, float b, int first,
                                 int last, float h, int lanes, LocalBytes red) implements Args {}
}
