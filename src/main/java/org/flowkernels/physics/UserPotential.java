package org.flowkernels.physics;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.flowkernels.io.FormatException;
import org.flowkernels.io.SnippetFile;
import org.flowkernels.Backend;
import org.flowkernels.Backends;
import org.flowkernels.Check;
import org.flowkernels.SnippetException;
import org.flowkernels.Tensor;
import org.flowkernels.spi.Contract;
import org.flowkernels.spi.PotentialSpec;
import org.flowkernels.spi.Snippet;

/**
 * A potential V(q) written by the user, in one or both of two forms:
 * <ul>
 *   <li>Java ({@link Function}): V and ∇V of a block of configurations, run by the CPU backend
 *       (blocks of 32 configurations, in parallel over the batch);</li>
 *   <li>a kernel snippet ({@link Snippet}): the bodies of {@code energy} and {@code gradient},
 *       or of {@code pair_energy} and {@code pair_force} for a sum over pairs of particles,
 *       built into the library's kernels at run time by the OpenCL and CUDA backends (one
 *       program per distinct snippet, cached). A compile error is a {@link
 *       org.flowkernels.SnippetException} naming the snippet's file and line.</li>
 * </ul>
 * A snippet runs on the CPU backend only with its Java twin ({@link #withJava}); a Java-only
 * potential runs on the CPU backend only. Either way the potential then works everywhere a
 * built-in one does: {@link Potential#energy}, {@link Hamiltonian}, Langevin and HMC.
 *
 * <p>Parameters are named scalars, given to both forms in declaration order (the snippet reads
 * each as a {@code const REAL} of its name; the Java function as {@code p[k]}).
 *
 * @param name          what messages call it
 * @param snippet       the device code, or null
 * @param java          the Java code, or null
 * @param values        the parameters' values by name, in declaration order
 * @param particleDim   a pair potential's particle dimension (1 to 3); 0 for a function of the whole row
 * @param boundsChecked the device build checks every X(i) and G(i) (debug; see {@link #withBoundsCheck()})
 */
public record UserPotential(String name, Snippet snippet, Function java, Map<String, Double> values, int particleDim,
                            boolean boundsChecked) implements Potential {

    /**
     * V and ∇V of a block of m configurations of n coordinates, coordinate-major:
     * {@code x[c * m + s]} is coordinate c of configuration s. Write {@code energy[s]} = V(x_s)
     * and {@code gradient[c * m + s]} = ∂V/∂x_c for every s < m; p[k] is parameter k.
     * Configurations past the end of the batch are padding (their results are ignored). The
     * CPU backend calls it once per block, from several threads at once: keep no state.
     */
    @FunctionalInterface
    public interface Function extends PotentialSpec.Block {}

    public UserPotential {
        Check.notNull(name, "name");
        if (name.isBlank()) throw new IllegalArgumentException("name: expected a name, got '" + name + "'");
        if (snippet == null && java == null)
            throw new IllegalArgumentException(name + ": expected a kernel snippet, a Java function or both, got neither");
        Check.notNull(values, "values");
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        for (Map.Entry<String, Double> e : values.entrySet()) Check.finite(Check.notNull(e.getValue(), name + " parameter " + e.getKey()),
                name + " parameter " + e.getKey());
        if (particleDim < 0 || particleDim > 3)
            throw new IllegalArgumentException(name + ": particle dimension: expected 1, 2 or 3 (0: a function of the whole row), got "
                    + particleDim);
        if (snippet != null) {
            snippet = new Snippet(snippet.file(), snippet.bodies(), new ArrayList<>(values.keySet()));
            for (String needed : particleDim > 0 ? List.of("pair_energy", "pair_force") : List.of("energy", "gradient"))
                if (!snippet.has(needed))
                    throw new IllegalArgumentException(snippet.file() + ": a " + (particleDim > 0 ? "pair" : "whole-configuration")
                            + " potential needs a '" + needed + "' body, got " + snippet.bodies().keySet());
            if (snippet.has("one_body") != snippet.has("one_body_gradient"))
                throw new IllegalArgumentException(snippet.file() + ": a one-body term needs both 'one_body' and 'one_body_gradient'");
            if (particleDim == 0 && snippet.has("one_body"))
                throw new IllegalArgumentException(snippet.file() + ": 'one_body' belongs to a pair potential (give it a particle dimension)");
        }
    }

    /** A potential written in Java only (the CPU backend runs it), of the whole configuration. */
    public static UserPotential java(String name, Function v) {
        return new UserPotential(name, null, Check.notNull(v, "v"), Map.of(), 0, false);
    }

    /**
     * A potential of the whole configuration as a kernel snippet: the bodies of
     * {@code REAL energy(...)} (return V of X(0) .. X(dim − 1)) and of
     * {@code void gradient(...)} (set G(c) = ∂V/∂x_c; G starts at zero). Add the parameters
     * with {@link #withParameter}, and a Java twin with {@link #withJava} for the CPU backend.
     */
    public static UserPotential snippet(String name, String energy, String gradient) {
        return new UserPotential(name, strings(name, "energy", energy, "gradient", gradient), null, Map.of(), 0, false);
    }

    /**
     * A sum over pairs of particles in {@code dim} dimensions as a kernel snippet: the bodies of
     * {@code REAL pair_energy(r2)} (φ at squared distance r2) and {@code REAL pair_force(r2)}
     * (−φ'(r)/r: particle i feels pair_force(r2) (r_i − r_j)). A one-body term joins with
     * {@link #withOneBody}.
     */
    public static UserPotential pairs(String name, int dim, String pairEnergy, String pairForce) {
        return new UserPotential(name, strings(name, "pair_energy", pairEnergy, "pair_force", pairForce), null, Map.of(), dim, false);
    }

    /**
     * Reads a snippet file: a .cl file of sections, each opened by a line {@code //! NAME}
     * (energy, gradient, pair_energy, pair_force, one_body, one_body_gradient), with optional
     * lines {@code //! parameters NAME=VALUE ...} and {@code //! dim D} (a pair potential's
     * particle dimension); or a .json object with those names as keys (the bodies as strings,
     * "parameters" an object of numbers, "dim" a number). IOException for an unreadable file,
     * IllegalArgumentException naming the file and line for a malformed one.
     */
    public static UserPotential load(Path file) throws IOException {
        return load(file, 0);
    }

    /**
     * As {@link #load(Path)}, a pair potential's particle dimension given ({@code particleDim} 1 to
     * 3; 0: the file's {@code //! dim}). A file that declares another dimension is an error.
     */
    public static UserPotential load(Path file, int particleDim) throws IOException {
        Check.notNull(file, "file");
        SnippetFile f = SnippetFile.read(file, BODIES);
        boolean pairs = f.snippet().has("pair_energy") || f.snippet().has("pair_force");
        int dim = f.dim();
        if (pairs && particleDim > 0) {
            if (dim > 0 && dim != particleDim)
                throw new FormatException(file, "declares particles in " + dim + "-D (//! dim " + dim + "), but " + particleDim
                        + "-D was asked for");
            dim = particleDim;
        }
        if (pairs && dim == 0)
            throw new FormatException(file, "a pair potential needs its particles' dimension: add a line //! dim D (1, 2 or 3)");
        if (!pairs && dim != 0) throw new FormatException(file, "//! dim belongs to a pair potential (pair_energy, pair_force)");
        try {
            return new UserPotential(file.getFileName().toString(), f.snippet(), null, f.parameters(), dim, false);
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, e.getMessage());
        }
    }

    /** The bodies a potential's snippet may have. */
    public static final Set<String> BODIES = Set.of("energy", "gradient", "pair_energy", "pair_force", "one_body", "one_body_gradient");

    private static Snippet strings(String name, String first, String firstBody, String second, String secondBody) {
        Map<String, Snippet.Body> bodies = new LinkedHashMap<>();
        bodies.put(first, new Snippet.Body(Check.notNull(firstBody, first), 1));
        bodies.put(second, new Snippet.Body(Check.notNull(secondBody, second), 1));
        return new Snippet("<" + name + ">", bodies, List.of());
    }

    /** The same potential with parameter {@code name} declared (at the end) or, if declared, set to {@code value}. */
    public UserPotential withParameter(String parameter, double value) {
        Check.notNull(parameter, "parameter");
        Map<String, Double> p = new LinkedHashMap<>(values);
        p.put(parameter, Check.finite(value, name + " parameter " + parameter));
        return new UserPotential(name, snippet, java, p, particleDim, boundsChecked);
    }

    /** The Java twin that runs this snippet on the CPU backend. */
    public UserPotential withJava(Function v) {
        return new UserPotential(name, snippet, Check.notNull(v, "v"), values, particleDim, boundsChecked);
    }

    /** Adds a one-body term to a pair potential: bodies of {@code REAL one_body(...)} (the energy of
     *  one particle X(0) .. X(dim − 1)) and {@code void one_body_gradient(...)} (G(k) = its gradient). */
    public UserPotential withOneBody(String energy, String gradient) {
        if (snippet == null) throw new IllegalStateException(name + ": a one-body term joins a snippet, and this potential has none");
        Map<String, Snippet.Body> bodies = new LinkedHashMap<>(snippet.bodies());
        bodies.put("one_body", new Snippet.Body(Check.notNull(energy, "energy"), 1));
        bodies.put("one_body_gradient", new Snippet.Body(Check.notNull(gradient, "gradient"), 1));
        return new UserPotential(name, new Snippet(snippet.file(), bodies, snippet.parameters()), java, values, particleDim,
                boundsChecked);
    }

    /**
     * The same potential with its device build checking every X(i) and G(i) against the row:
     * the first out-of-range index stops the call with a {@link org.flowkernels.SnippetException}
     * naming the snippet's line (OpenCL; a debug mode, slower). The Java form is always checked
     * by the JVM.
     */
    public UserPotential withBoundsCheck() {
        return new UserPotential(name, snippet, java, values, particleDim, true);
    }

    /**
     * Checks the snippet against its Java twin at the configurations {@code q} [batch, n], which
     * live on the OpenCL or CUDA backend that runs the snippet (the twin runs on the CPU backend):
     * throws a {@link SnippetException} naming the snippet's energy (or gradient) body when their
     * energies, or their gradients, differ by more than {@code tolerance} in ‖a − b‖ / ‖b‖ over
     * the batch (float32 twins agree to about 1e-6).
     */
    public void checkTwin(Tensor q, double tolerance) {
        Check.notNull(q, "q");
        Check.positiveFinite(tolerance, "tolerance");
        if (snippet == null || java == null)
            throw new IllegalStateException(name + ": comparing the snippet with its Java twin needs both, and it has "
                    + (snippet == null ? "no snippet" : "no Java twin"));
        Backend device = q.backend(), cpu = Backends.cpu();
        if (device == cpu || "cpu".equals(device.name()))
            throw new IllegalArgumentException("q: expected configurations on the OpenCL or CUDA backend that runs the snippet, got "
                    + "a tensor on " + device.name() + " (which runs the Java twin)");
        checkCoordinates(q.cols(), "q");
        float[] e1, g1, e2, g2;
        try (Tensor e = energy(q); Tensor g = gradient(q)) {
            e1 = e.toArray();
            g1 = g.toArray();
        }
        try (Tensor qc = cpu.tensor(q.toArray(), q.rows(), q.cols()); Tensor e = energy(qc); Tensor g = gradient(qc)) {
            e2 = e.toArray();
            g2 = g.toArray();
        }
        compare(e1, e2, 1, tolerance, particleDim > 0 ? "pair_energy" : "energy", "energy");
        compare(g1, g2, q.cols(), tolerance, particleDim > 0 ? "pair_force" : "gradient", "gradient");
    }

    private void compare(float[] snippetValues, float[] javaValues, int cols, double tolerance, String body, String what) {
        double num = 0, den = 0, worst = -1;
        int at = 0;
        for (int i = 0; i < javaValues.length; i++) {
            // both NaN, or the same infinity, agree: the two forms fail in the same place
            if (Float.compare(snippetValues[i], javaValues[i]) == 0 && !Float.isFinite(javaValues[i])) continue;
            double d = Math.abs((double) snippetValues[i] - javaValues[i]);
            if (!(d <= worst)) { // a NaN is the worst of all
                worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                at = i;
            }
            num += d * d;
            den += (double) javaValues[i] * javaValues[i];
        }
        double rel = Math.sqrt(num / Math.max(den, Double.MIN_NORMAL));
        if (rel <= tolerance) return;
        throw new SnippetException(snippet.label(body), snippet.body(body).line(), "the snippet and its Java twin disagree on the "
                + what + ": relative difference " + String.format(Locale.ROOT, "%.3g", rel) + " > " + tolerance
                + " over the batch; at row " + at / cols + (cols > 1 ? ", column " + at % cols : "") + " the snippet gives "
                + snippetValues[at] + ", the Java twin " + javaValues[at], "");
    }

    @Override public int kind() { return Contract.POT_USER; }

    @Override
    public float[] parameters() {
        float[] p = new float[values.size()];
        int k = 0;
        for (double v : values.values()) p[k++] = (float) v;
        return p;
    }

    /** The parameters' names in declaration order (the order of {@link #parameters()}). */
    public List<String> parameterNames() {
        return List.copyOf(values.keySet());
    }

    @Override
    public PotentialSpec spec() {
        return new PotentialSpec(kind(), parameters(), new PotentialSpec.User(name, snippet, java, particleDim, boundsChecked));
    }

    @Override
    public void checkCoordinates(int coordinates, String argument) {
        if (particleDim == 0) {
            if (coordinates < 1) throw new IllegalArgumentException(argument + ": expected at least one column for " + this + ", got " + coordinates);
        } else {
            Potentials.checkWidth(coordinates, particleDim, 2, argument, this);
        }
    }

    @Override
    public String toString() {
        return "UserPotential[" + name + (particleDim > 0 ? ", pairs in " + particleDim + "-D" : "") + ", parameters " + values
                + ", " + (snippet != null ? "snippet " + snippet.file() : "no snippet") + (java != null ? ", Java" : ", no Java") + "]";
    }
}
