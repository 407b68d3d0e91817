package org.flowkernels.flow;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.flowkernels.nn.Activation;
import org.flowkernels.nn.Mlp;
import org.flowkernels.spi.CouplingKernels;
import org.junit.jupiter.api.Test;

/** Masks, permutations, scale bounds and layer construction: the model layer, no backend. */
class MaskTest {
    @Test
    void namedMasksSplitAsDocumented() {
        assertArrayEquals(new int[] {0, 1}, Mask.firstHalf(5).conditioning());
        assertArrayEquals(new int[] {2, 3, 4}, Mask.firstHalf(5).transformed());
        assertArrayEquals(new int[] {2, 3, 4}, Mask.secondHalf(5).conditioning());
        assertEquals(Mask.secondHalf(5), Mask.firstHalf(5).swapped());
        assertArrayEquals(new int[] {0, 2, 4}, Mask.even(5).conditioning());
        assertArrayEquals(new int[] {1, 3}, Mask.odd(5).conditioning());
        assertArrayEquals(new int[] {0, 2, 4}, Mask.odd(5).transformed());
        // 3 x 3 lattice, site (i, j) = 3i + j; even sites (i + j even): 0, 2, 4, 6, 8
        assertArrayEquals(new int[] {0, 2, 4, 6, 8}, Mask.checkerboard(3, 0).conditioning());
        assertArrayEquals(new int[] {1, 3, 5, 7}, Mask.checkerboard(3, 1).conditioning());
        // 2 x 4: rows 0: 0 1 2 3, row 1: 4 5 6 7; even: 0 2 5 7
        assertArrayEquals(new int[] {0, 2, 5, 7}, Mask.checkerboard(2, 4, 0).conditioning());
        assertEquals(Mask.checkerboard(2, 4, 1), Mask.checkerboard(2, 4, 0).swapped());
        assertEquals(1, Mask.checkerboard(2, 4, 0).swapped().parity());
        Mask m = Mask.of(new int[] {3, 0, 2, 1}, 1);
        assertArrayEquals(new int[] {3}, m.conditioning());
        assertArrayEquals(new int[] {0, 2, 1}, m.transformed(), "order kept: conditioner output j acts on transformed[j]");
    }

    @Test
    void aUserPermutationMustBeOneAndTheMessageSaysWhy() {
        var e = assertThrows(IllegalArgumentException.class, () -> Permutation.of(2, 0, 2, 3));
        assertEquals("permutation: not a permutation of 0..3: index 2 appears twice (positions 0 and 2) and index 1 is missing",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Permutation.of(0, 4, 1));
        assertEquals("permutation: expected indices in 0..2, got 4 at position 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Mask.of(4, new int[] {0, 1}, new int[] {1, 3}));
        assertTrue(e.getMessage().contains("index 1 appears twice") && e.getMessage().contains("index 2 is missing"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Mask.of(4, new int[] {0}, new int[] {1, 2}));
        assertEquals("mask: expected 4 indices in all, got 1 conditioning + 2 transformed", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Mask.of(new int[] {1, 0, 2}, 3));
        assertTrue(e.getMessage().startsWith("conditioningCount: expected 1 .. 2, got 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Mask.firstHalf(1));
        assertThrows(IllegalArgumentException.class, () -> Mask.checkerboard(1, 0));
        assertThrows(IllegalArgumentException.class, () -> Mask.checkerboard(4, 2));
        int[] p = Permutation.random(50, 9).indices();
        assertArrayEquals(p, Permutation.random(50, 9).indices(), "random permutations are fixed by their seed");
        assertArrayEquals(new int[] {2, 1, 0}, Permutation.reverse(3).indices());
    }

    @Test
    void scaleBoundsAndConditionerShapesAreChecked() {
        assertEquals(Math.tanh(0.3), ScaleBound.TANH.apply(0.3));
        assertEquals(2 * Math.tanh(5 / 2.0), ScaleBound.softClamp(2).apply(5), 1e-15);
        assertEquals(7.0, ScaleBound.NONE.apply(7));
        assertThrows(IllegalArgumentException.class, () -> ScaleBound.softClamp(0));
        assertThrows(IllegalArgumentException.class, () -> ScaleBound.softClamp(Double.NaN));
        var e = assertThrows(IllegalArgumentException.class,
                () -> new AffineCoupling(Mask.firstHalf(6), Mlp.random(1, Activation.TANH, 3, 8, 3)));
        assertEquals("conditioner: expected 6 outputs (log-scale s then shift t, 2 per transformed index), got 3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new AdditiveCoupling(Mask.firstHalf(6), Mlp.random(1, Activation.TANH, 2, 8, 3)));
        assertEquals("conditioner: expected 3 inputs (the mask's conditioning indices), got 2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> CouplingFlow.of(AffineCoupling.random(Mask.even(4), 1, 5), Permutation.reverse(5)));
        assertEquals("layers[1]: expected dim 4 (layer 0's), got 5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CouplingFlow(List.of()));
    }

    @Test
    void permutationsAreFoldedIntoTheIndexLists() {
        // y = x[p] with p = (2, 0, 1), then a coupling conditioning on y_0 = x_2 and transforming y_1, y_2 = x_0, x_1
        CouplingFlow flow = CouplingFlow.of(Permutation.of(2, 0, 1), AffineCoupling.random(Mask.firstHalf(3), 1, 4));
        FlowPlan fwd = flow.plan(false);
        assertArrayEquals(new int[] {2}, fwd.steps().get(0).conditioning());
        assertArrayEquals(new int[] {0, 1}, fwd.steps().get(0).transformed());
        assertArrayEquals(new int[] {2, 0, 1}, fwd.output(), "x_out[i] = state[p[i]]");
        FlowPlan inv = flow.plan(true);
        // inverse: the coupling runs first on the given x (identity map), then the permutation is undone
        assertArrayEquals(new int[] {0}, inv.steps().get(0).conditioning());
        assertArrayEquals(new int[] {1, 2, 0}, inv.output(), "z[p[i]] = x[i]: z_0 = x_1, z_1 = x_2, z_2 = x_0");
        assertNull(CouplingFlow.realNvp(4, 2, 1, 3).plan(false).output(), "no permutation, no final gather");
        CouplingKernels.Plan f = new CouplingKernels.Plan(3, false, List.of(), new int[0], null, -1);
        CouplingKernels.Plan i = new CouplingKernels.Plan(3, true, List.of(), new int[0], null, -1);
        assertEquals(1f, f.scaleSign(false));
        assertEquals(-1f, f.scaleSign(true));
        assertEquals(-1f, i.scaleSign(false));
    }
}
