package org.flowkernels.ode;

import java.io.IOException;
import java.nio.file.Path;
import org.flowkernels.Backend;
import org.flowkernels.Check;
import org.flowkernels.io.ModelDirectory;

/**
 * A continuous normalizing flow as plain data: the field that carries the base N(0, I) at
 * {@code solve.t0()} to the data at {@code solve.t1()}, and how to integrate it (solver,
 * steps, trace, probe seed). {@link #on(Backend)} puts it on a backend to sample and to
 * evaluate densities ({@link CnfModule}). {@link #load} and {@link #save} read and write a
 * model directory ({@code cnf.json} and the weights under PyTorch state_dict names).
 */
public record Cnf(VectorField field, Solve solve) {
    public Cnf {
        Check.notNull(field, "field");
        Check.notNull(solve, "solve");
        solve = solve.saveEvery(0);
    }

    public int dim() { return field.dim(); }

    /** Reads a model directory: cnf.json and its weights file (see README.md, "Continuous flows"). */
    public static Cnf load(Path dir) throws IOException {
        Check.notNull(dir, "dir");
        return CnfFormat.load(dir);
    }

    /** Writes cnf.json and model.safetensors into {@code dir} (created if needed). */
    public void save(Path dir) throws IOException {
        save(dir, ModelDirectory.SAFETENSORS);
    }

    /** Writes cnf.json and the weights as {@code weightsFile}, a .safetensors or .npz name. */
    public void save(Path dir, String weightsFile) throws IOException {
        Check.notNull(dir, "dir");
        Check.notNull(weightsFile, "weightsFile");
        CnfFormat.save(this, dir, weightsFile);
    }

    /** The field's parameters uploaded to a backend. */
    public CnfModule on(Backend backend) {
        return new CnfModule(this, backend);
    }
}
