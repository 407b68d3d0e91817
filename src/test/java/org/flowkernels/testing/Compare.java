package org.flowkernels.testing;

import static org.junit.jupiter.api.Assertions.fail;

/** Comparisons of a backend's float32 output with a float64 reference. */
public final class Compare {
    private Compare() {}

    /** ‖out − ref‖₂ / ‖ref‖₂ (NaN if out holds a NaN: an unwritten, poisoned element). */
    public static double relativeError(float[] out, double[] ref) {
        return relativeError(out, ref, 0);
    }

    /**
     * ‖out − ref‖₂ / max(‖ref‖₂, rmsFloor √n): relative to the reference, or to a floor on its
     * root-mean-square where a sum's terms can cancel to a near-zero result whose float32 rounding
     * (set by the terms, not the result) is no defect.
     */
    public static double relativeError(float[] out, double[] ref, double rmsFloor) {
        if (out.length != ref.length) throw new AssertionError("length " + out.length + " != reference " + ref.length);
        double num = 0, den = 0;
        for (int i = 0; i < out.length; i++) {
            if (!Float.isFinite(out[i])) return Double.NaN;
            double d = out[i] - ref[i];
            num += d * d;
            den += ref[i] * ref[i];
        }
        den = Math.max(den, rmsFloor * rmsFloor * out.length);
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }

    /** Fails unless relativeError(out, ref) <= tol; names the first bad element. */
    public static void close(float[] out, double[] ref, double tol, String what) {
        close(out, ref, tol, 0, what);
    }

    /** Fails unless relativeError(out, ref, rmsFloor) <= tol; names the first bad element. */
    public static void close(float[] out, double[] ref, double tol, double rmsFloor, String what) {
        double err = relativeError(out, ref, rmsFloor);
        if (err <= tol) return;
        int worst = -1;
        double w = -1;
        for (int i = 0; i < out.length; i++) {
            double d = Float.isFinite(out[i]) ? Math.abs(out[i] - ref[i]) : Double.POSITIVE_INFINITY;
            if (d > w) { w = d; worst = i; }
        }
        fail(what + ": relative error " + err + " > " + tol + "; worst element " + worst + ": got " + out[worst]
                + ", expected " + ref[worst]);
    }

    public static double maxAbs(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            if (!Float.isFinite(a[i]) || !Float.isFinite(b[i])) return Double.NaN;
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
