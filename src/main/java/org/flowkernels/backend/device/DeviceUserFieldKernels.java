package org.flowkernels.backend.device;

import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.Matrix;
import org.flowkernels.spi.UserFieldKernels;

/** A user's vector field on OpenCL and CUDA: native-kernels/user_field.cl in a program built for its snippet, one launch per solve. */
final class DeviceUserFieldKernels implements UserFieldKernels {
    private final DeviceBackend dev;

    DeviceUserFieldKernels(DeviceBackend dev) { this.dev = dev; }

    @Override
    public boolean hasJvp(Field field) {
        return field.snippet() != null && field.snippet().has("jvp");
    }

    @Override
    public String path(Field field) {
        if (field.dim() > DeviceLimits.USER_FIELD_MAX_DIM)
            throw new IllegalArgumentException("x0: the OpenCL/CUDA user-field kernel holds at most " + DeviceLimits.USER_FIELD_MAX_DIM
                    + " coordinates per state, got " + field.dim() + " (the CPU backend has no such limit)");
        dev.program(field); // builds the snippet now: a compile error stops the solve before it starts
        return dev.name() + ": user_field_solve (the snippet " + field.snippet().file() + " inside one kernel, the state in private memory)";
    }

    @Override
    public void solve(Problem how, Matrix x, Matrix deltaLogp, Matrix snapshotX, Matrix snapshotDeltaLogp) {
        path(how.field());
        Field f = how.field();
        Object program = dev.program(f);
        Buffer prm = dev.upload(f), tableau = null;
        try {
            tableau = dev.memory().upload(how.tableau().packed());
            boolean snaps = snapshotX != null;
            dev.launch(program, new Kernels.UserFieldSolve(x, deltaLogp, prm, tableau, how.tableau().stages(), how.steps(), how.t0(), how.h(),
                    how.traceMode(), how.tangents(), how.probe(), how.traceWeight(), how.fdStep(), (int) how.seed(),
                    (int) (how.seed() >>> 32), how.probeStream(), snaps ? how.saveEvery() : 0, snaps ? snapshotX : x,
                    snaps ? snapshotDeltaLogp : deltaLogp, x.rows(), f.dim()), "", x.rows(), dev.workGroup());
            dev.checkUser(f, prm);
        } finally {
            dev.memory().free(prm);
            if (tableau != null) dev.memory().free(tableau);
        }
    }
}
