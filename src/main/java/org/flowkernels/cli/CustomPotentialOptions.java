package org.flowkernels.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flowkernels.Check;
import org.flowkernels.SnippetException;
import org.flowkernels.Tensor;
import org.flowkernels.physics.UserPotential;
import org.flowkernels.sample.NonFiniteStateException;
import picocli.CommandLine.Option;

/** The user's potential of {@code sample custom} and {@code simulate custom} (a picocli mixin). */
final class CustomPotentialOptions {
    @Option(names = "--potential", paramLabel = "FILE", required = true,
            description = "the potential as a kernel snippet: FILE.cl, sections opened by lines //! energy and //! gradient "
                    + "(a function of the whole configuration) or //! pair_energy and //! pair_force (a sum over pairs, with "
                    + "optional //! one_body and //! one_body_gradient), //! parameters NAME=VALUE ... and, for pairs, //! dim D; "
                    + "or FILE.json with the same names as keys (README: \"Your own model\")")
    Path file;

    @Option(names = "--particles", paramLabel = "N", defaultValue = "1",
            description = "particles per configuration; a configuration holds N*D coordinates (default: ${DEFAULT-VALUE})")
    int particles;

    @Option(names = "--dim", paramLabel = "D",
            description = "coordinates per particle (default: the file's //! dim for a pair potential, else 1)")
    Integer dim;

    @Option(names = "--java", paramLabel = "FILE.java",
            description = "the snippet's Java twin: one public class implementing org.flowkernels.physics.UserPotential.Function, "
                    + "compiled at start (needs a JDK). The CPU backend runs the twin, so it needs this; on OpenCL and CUDA the "
                    + "twin is checked against the snippet at the start states")
    Path java;

    @Option(names = {"-P", "--param"}, paramLabel = "NAME=VALUE",
            description = "set a parameter the snippet declares (repeatable: -P D=1 -P a=1.5)")
    Map<String, Double> parameters = new LinkedHashMap<>();

    @Option(names = "--bounds-check",
            description = "OpenCL, CUDA: build the snippet with index checks on X(i) and G(i); the first index out of its row stops "
                    + "the run naming the line (a debug mode, slower)")
    boolean boundsCheck;

    @Option(names = "--twin-tolerance", paramLabel = "TOL", defaultValue = "1e-4",
            description = "with --java on OpenCL or CUDA: the largest relative difference allowed between the snippet's and the "
                    + "twin's energies and gradients at the start states (default: ${DEFAULT-VALUE})")
    double twinTolerance;

    /** The potential and the rows it runs on: {@code particles} particles of {@code particleDim} coordinates. */
    record Rows(UserPotential potential, int particleDim, int coordinates) {}

    /** The potential with --particles and --dim checked against it (a pair potential's file may fix the dimension). */
    Rows loadRows() throws IOException {
        Check.positive(particles, "--particles");
        if (dim != null && (dim < 1 || dim > 3)) throw new IllegalArgumentException("--dim: expected 1, 2 or 3, got " + dim);
        UserPotential v = load(dim == null ? 0 : dim);
        int d = v.particleDim() > 0 ? v.particleDim() : dim == null ? 1 : dim, n = Math.multiplyExact(particles, d);
        v.checkCoordinates(n, "--particles x --dim");
        return new Rows(v, d, n);
    }

    /** The potential, for particles in {@code dim} dimensions (a pair potential's; 0: the file's). */
    private UserPotential load(int dim) throws IOException {
        Check.positiveFinite(twinTolerance, "--twin-tolerance");
        UserPotential v = UserPotential.load(file, dim);
        for (Map.Entry<String, Double> p : parameters.entrySet()) {
            if (!v.values().containsKey(p.getKey()))
                throw new IllegalArgumentException("--param: " + file.getFileName() + " declares no parameter '" + p.getKey()
                        + "' (it declares " + (v.values().isEmpty() ? "none" : String.join(", ", v.values().keySet()))
                        + "; declare it with //! parameters " + p.getKey() + "=VALUE)");
            v = v.withParameter(p.getKey(), p.getValue());
        }
        if (java != null) v = v.withJava(JavaTwin.load(java));
        return boundsCheck ? v.withBoundsCheck() : v;
    }

    /** The CPU backend runs the Java twin: without --java it cannot run the snippet (say so in the tool's terms). */
    void requireRunnable(UserPotential v, org.flowkernels.Backend backend) {
        if (backend.name().equals("cpu") && v.java() == null)
            throw new IllegalArgumentException("--java: the CPU backend runs a snippet's Java twin, and none was given; add --java "
                    + "FILE.java, or run the snippet on --backend opencl or cuda");
    }

    /** The form in words, for the first line of output. */
    static String describe(UserPotential v) {
        return v.name() + " (" + (v.particleDim() > 0 ? "pairs of particles in " + v.particleDim() + "-D" : "a function of the "
                + "whole configuration") + (v.values().isEmpty() ? "" : ", " + v.values().toString().replaceAll("[{}]", ""))
                + (v.java() != null ? ", with its Java twin" : "") + (v.boundsChecked() ? ", bounds-checked build" : "") + ")";
    }

    /** With a Java twin on a device backend: the twin and the snippet agree at q, or a SnippetException names the snippet. */
    void checkTwin(UserPotential v, Tensor q) {
        if (v.java() != null && v.snippet() != null && !q.backend().name().equals("cpu")) v.checkTwin(q, twinTolerance);
    }

    /** A chain that went non-finite, as the one-line error of a bad potential (exit code 4). */
    SnippetException nonFinite(NonFiniteStateException e, String advice) {
        SnippetException s = new SnippetException(file.getFileName().toString(), 0, "chain " + e.chain() + " became non-finite at step "
                + e.step() + (e.chainsAffected() > 1 ? " (" + e.chainsAffected() + " chains in all)" : "") + ": the potential "
                + "returned NaN or an infinity there, or " + advice, "");
        s.initCause(e);
        return s;
    }
}
