package org.flowkernels.ode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flowkernels.Check;
import org.flowkernels.nn.Mlp;
import org.flowkernels.spi.Snippet;
import org.flowkernels.spi.UserFieldKernels;

/**
 * A velocity field v(x, t) on R^D written by the user, for {@link Ode#solve} and continuous
 * flows, in one or both of two forms: Java ({@link Velocity}, with an optional
 * {@link Jacobian}-vector product), which the CPU backend runs on blocks of 32 states; and a
 * kernel snippet, the body of {@code velocity} (set V(c) from X(i), t, dim and the parameters
 * by name) with an optional {@code jvp} body (set JV(c) = Σ_k ∂v_c/∂x_k E(k)), which OpenCL and
 * CUDA build into a kernel at run time (as {@link org.flowkernels.physics.UserPotential}'s).
 *
 * <p>The divergence tr(∂v/∂x) that Δlogp integrates comes from tangents J ε:
 * <ul>
 *   <li>{@link Trace#exact()}: D tangents J e_j through the JVP: exact (forward-mode tangents of
 *       the user's own derivative). Without a JVP on the backend that runs the field it is an
 *       IllegalArgumentException, naming Hutchinson's estimator as the way out.</li>
 *   <li>Hutchinson ({@link Trace#rademacher}, {@link Trace#gaussian}): the JVP when there is one;
 *       else central differences J ε ≈ (v(x + δε) − v(x − δε)) / 2δ, δ = {@link #FD_STEP}
 *       (1 + max_c |x_c|), two velocities per probe. Each probe's ε·Jε then carries an error of
 *       about (δ²/6)|ε|⁴ max|∂³v| (truncation) plus 2u|ε| max|v| / δ (float32 rounding, u = 6e-8):
 *       with δ = 2^-7 and O(1) derivatives, ~1e-4 relative to |ε|² = D, far below Hutchinson's
 *       own spread (the estimator's variance, 2‖A_s‖²_F per Gaussian probe).</li>
 * </ul>
 * The field sees t always; it is not an MLP ({@link #network()} throws), so a CNF of a user
 * field cannot be saved as cnf.json.
 *
 * @param name          what messages call it
 * @param dim           D, the width of x and v
 * @param snippet       the device code (bodies "velocity" and optionally "jvp"), or null
 * @param velocity      the Java code, or null
 * @param jacobian      the Java Jacobian-vector product, or null
 * @param values        the parameters' values by name, in declaration order
 * @param boundsChecked the device build checks every X, V, E, JV index (debug)
 */
public record UserField(String name, int dim, Snippet snippet, Velocity velocity, Jacobian jacobian, Map<String, Double> values,
                        boolean boundsChecked) implements VectorField {
    /** δ's scale: the central differences' relative step, 2^-7 ≈ u^(1/3) (u = float32's unit roundoff). */
    public static final double FD_STEP = 0x1p-7;

    /** v(x, t) of a block of m states of n coordinates, coordinate-major: v[c * m + s]; p[k] is parameter k. */
    @FunctionalInterface
    public interface Velocity extends UserFieldKernels.Block {}

    /** jv[c * m + s] = Σ_k ∂v_c/∂x_k e[k * m + s], for a block stored as {@link Velocity}'s. */
    @FunctionalInterface
    public interface Jacobian extends UserFieldKernels.JvpBlock {}

    public UserField {
        Check.notNull(name, "name");
        Check.positive(dim, "dim");
        if (snippet == null && velocity == null)
            throw new IllegalArgumentException(name + ": expected a kernel snippet, a Java velocity or both, got neither");
        if (jacobian != null && velocity == null)
            throw new IllegalArgumentException(name + ": a Java Jacobian-vector product needs the Java velocity beside it");
        values = Collections.unmodifiableMap(new LinkedHashMap<>(Check.notNull(values, "values")));
        for (Map.Entry<String, Double> e : values.entrySet()) Check.finite(e.getValue(), name + " parameter " + e.getKey());
        if (snippet != null) {
            snippet = new Snippet(snippet.file(), snippet.bodies(), new ArrayList<>(values.keySet()));
            if (!snippet.has("velocity")) throw new IllegalArgumentException(snippet.file() + ": a field needs a 'velocity' body");
            for (String b : snippet.bodies().keySet())
                if (!b.equals("velocity") && !b.equals("jvp"))
                    throw new IllegalArgumentException(snippet.file() + ": a field has bodies 'velocity' and 'jvp', got '" + b + "'");
        }
    }

    /** A field in Java only (the CPU backend runs it); add its JVP with {@link #withJacobian}. */
    public static UserField java(String name, int dim, Velocity v) {
        return new UserField(name, dim, null, Check.notNull(v, "v"), null, Map.of(), false);
    }

    /** A field as a kernel snippet: the velocity body and a JVP body (null: none). */
    public static UserField snippet(String name, int dim, String velocity, String jvp) {
        Map<String, Snippet.Body> bodies = new LinkedHashMap<>();
        bodies.put("velocity", new Snippet.Body(Check.notNull(velocity, "velocity"), 1));
        if (jvp != null) bodies.put("jvp", new Snippet.Body(jvp, 1));
        return new UserField(name, dim, new Snippet("<" + name + ">", bodies, List.of()), null, null, Map.of(), false);
    }

    public UserField withParameter(String parameter, double value) {
        Map<String, Double> p = new LinkedHashMap<>(values);
        p.put(Check.notNull(parameter, "parameter"), Check.finite(value, name + " parameter " + parameter));
        return new UserField(name, dim, snippet, velocity, jacobian, p, boundsChecked);
    }

    /** The Java twin (the CPU backend runs it) and its JVP (null: none). */
    public UserField withJava(Velocity v, Jacobian jvp) {
        return new UserField(name, dim, snippet, Check.notNull(v, "v"), jvp, values, boundsChecked);
    }

    public UserField withJacobian(Jacobian jvp) {
        return new UserField(name, dim, snippet, velocity, Check.notNull(jvp, "jvp"), values, boundsChecked);
    }

    public UserField withBoundsCheck() {
        return new UserField(name, dim, snippet, velocity, jacobian, values, true);
    }

    /** A user field is t-dependent by contract: its code receives t. */
    @Override public boolean timeInput() { return true; }

    /** A user field is code, not an MLP: UnsupportedOperationException. */
    @Override
    public Mlp network() {
        throw new UnsupportedOperationException(name + ": a user field is code, not an MLP (it cannot be saved as cnf.json)");
    }

    /** The parameters in declaration order. */
    public float[] parameters() {
        float[] p = new float[values.size()];
        int k = 0;
        for (double v : values.values()) p[k++] = (float) v;
        return p;
    }

    /** The field as the kernels see it. */
    public UserFieldKernels.Field spec() {
        return new UserFieldKernels.Field(name, dim, snippet, velocity, jacobian, parameters(), boundsChecked);
    }

    @Override
    public String toString() {
        return "UserField[" + name + ", dim " + dim + ", parameters " + values + ", " + (snippet != null ? "snippet " + snippet.file()
                + (snippet.has("jvp") ? " with jvp" : "") : "no snippet") + (velocity != null ? ", Java" + (jacobian != null
                ? " with JVP" : "") : ", no Java") + "]";
    }
}
