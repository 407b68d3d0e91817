package org.flowkernels.backend.cpu;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/**
 * VectorMath against float64 java.lang.Math (accuracy in ulps), and against itself run in
 * an interpreter-only JVM (-Xint, where the Vector API runs its Java fallback): the bits must
 * be the same, which is the point of the class (the Vector API's own EXP/LOG/TANH lanes are
 * not: compiled they are SVML, interpreted they are Math calls).
 */
class VectorMathTest {
    /** The vector species, in a holder so that the plain-Java run can load this class. */
    static final class Lanes {
        static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    }

    record Fn(String name, UnaryOperator<FloatVector> vector, DoubleUnaryOperator exact, float lo, float hi) {}

    static List<Fn> functions() {
        return List.of(
                new Fn("exp", VectorMath::exp, Math::exp, -87f, 88f),
                new Fn("log", VectorMath::log, Math::log, 0x1p-24f, 4f),
                new Fn("tanh", VectorMath::tanh, Math::tanh, -12f, 12f),
                new Fn("cos2pi", VectorMath::cos2pi, u -> Math.cos(2 * Math.PI * u), 0f, 1f),
                new Fn("sin2pi", VectorMath::sin2pi, u -> Math.sin(2 * Math.PI * u), 0f, 1f));
    }

    /** Inputs: a grid over [lo, hi] plus the region near zero where series and cancellation matter. */
    static float[] inputs(Fn f) {
        int n = 1 << 14;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            double t = (i + 0.5) / n;
            x[i] = i % 4 == 3 && f.lo() < 0 ? (float) ((t - 0.5) * 1e-3) : (float) (f.lo() + (f.hi() - f.lo()) * t);
        }
        if (f.lo() > 0) for (int i = 0; i < n; i += 4) x[i] = Math.max(f.lo(), (float) Math.scalb(1.0 + i / (double) n, -24 + 24 * i / n));
        return x;
    }

    static float[] apply(Fn f, float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i += Lanes.S.length()) f.vector().apply(FloatVector.fromArray(Lanes.S, x, i)).intoArray(y, i);
        return y;
    }

    @Test
    void withinThreeUlpsOfTheCorrectlyRoundedValue() {
        assumeTrue(Simd.ENABLED, "the Vector API module is not in this JVM");
        for (Fn f : functions()) {
            float[] x = inputs(f), y = apply(f, x);
            double worst = 0;
            int at = 0;
            for (int i = 0; i < x.length; i++) {
                double exact = f.exact().applyAsDouble(x[i]);
                // absolute error near the zeros of sin and cos (2πu rounds there), relative elsewhere
                double ulps = Math.abs(y[i] - exact) / Math.ulp((float) Math.max(Math.abs(exact), f.name().endsWith("2pi") ? 0.5 : 0));
                if (!(ulps <= worst)) { worst = ulps; at = i; }
            }
            assertTrue(worst <= 3, f.name() + ": " + worst + " ulps at x = " + x[at] + " (got " + y[at] + ", exact "
                    + f.exact().applyAsDouble(x[at]) + ")");
        }
    }

    @Test
    void sameBitsCompiledAndInterpreted(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        assumeTrue(Simd.ENABLED, "the Vector API module is not in this JVM");
        for (int round = 0; round < 2000; round++) for (Fn f : functions()) apply(f, inputs(f)); // let C2 compile it all
        Path out = dir.resolve("xint.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xint", "--add-modules", "jdk.incubator.vector", "-cp",
                org.flowkernels.testing.ChildJvm.classPath(), VectorMathTest.class.getName(), out.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "interpreted run failed: " + log);
        List<String> interpreted = Files.readAllLines(out), compiled = bits();
        for (int f = 0; f < compiled.size(); f++) {
            String[] c = compiled.get(f).split(" "), i = interpreted.get(f).split(" ");
            for (int k = 0; k < c.length; k++)
                if (!c[k].equals(i[k]))
                    fail(c[0] + ": sample " + (k - 1) + " differs between compiled (" + c[k] + ") and interpreted -Xint ("
                            + i[k] + ") runs: VectorMath must give the same bits in every JIT tier");
        }
    }

    static List<String> bits() {
        List<String> lines = new ArrayList<>();
        for (Fn f : functions()) {
            float[] x = inputs(f), y = apply(f, x);
            StringBuilder b = new StringBuilder(f.name());
            // every 7th input keeps the interpreted run short; the grid still covers every branch
            for (int i = 0; i < x.length; i += 7) b.append(' ').append(Integer.toHexString(Float.floatToRawIntBits(y[i])));
            lines.add(b.toString());
        }
        return lines;
    }

    /** The interpreted side of {@link #sameBitsCompiledAndInterpreted}. */
    public static void main(String[] args) throws IOException {
        Files.write(Path.of(args[0]), bits());
    }
}
