package org.flowkernels.backend.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The kernels allowed local memory are listed once, in native-kernels/include/lmem.h, and
 * marked in the sources by `#if FK_ALLOW_LMEM` blocks: the two must name the same kernels,
 * and the CUDA build must put exactly those in the second module.
 */
class LmemListTest {
    static final Path KERNELS = Path.of("native-kernels");
    private static final Pattern IF = Pattern.compile("^\\s*#\\s*(if|ifdef|ifndef)\\b.*");
    private static final Pattern IF_LMEM = Pattern.compile("^\\s*#\\s*if\\s+FK_ALLOW_LMEM\\s*$");
    private static final Pattern ENDIF = Pattern.compile("^\\s*#\\s*endif\\b.*");
    private static final Pattern KERNEL = Pattern.compile("\\bKERNEL\\s+void\\s+(\\w+)\\s*\\(");
    /** `#define NAME(P)` ... `KERNEL void prefix_##P(`: a macro that defines kernels per argument. */
    private static final Pattern MACRO = Pattern.compile("^\\s*#\\s*define\\s+(\\w+)\\((\\w+)\\)");
    private static final Pattern USE = Pattern.compile("^(\\w+)\\((\\w+)\\)\\s*;?\\s*$");
    private static final Pattern ROW = Pattern.compile("^ \\* (\\w+)\\s+(\\w+\\.cl)\\s+(\\S.*)$");

    /** kernel -> file, for the kernels inside FK_ALLOW_LMEM blocks; `blocks` counts the blocks. */
    record Marked(Map<String, String> kernels, int blocks) {}

    static Marked marked() throws IOException {
        Map<String, String> kernels = new TreeMap<>();
        int blocks = 0;
        List<Path> files;
        try (Stream<Path> s = Files.list(KERNELS)) {
            files = s.filter(p -> p.toString().endsWith(".cl")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "the test runs from the project root and finds native-kernels/*.cl");
        for (Path f : files) {
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            Map<String, List<String>> macros = macros(lines);
            int depth = 0, at = -1;
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i), where = f.getFileName() + ":" + (i + 1);
                if (IF_LMEM.matcher(l).matches()) {
                    assertEquals(-1, at, where + ": an FK_ALLOW_LMEM block inside another");
                    at = ++depth;
                    blocks++;
                    continue;
                }
                if (IF.matcher(l).matches()) depth++;
                else if (ENDIF.matcher(l).matches()) {
                    if (depth == at) at = -1;
                    depth--;
                } else if (at != -1) {
                    Matcher k = KERNEL.matcher(l), u = USE.matcher(l);
                    if (k.find()) kernels.put(k.group(1), f.getFileName().toString());
                    else if (u.matches() && macros.containsKey(u.group(1)))
                        for (String template : macros.get(u.group(1)))
                            kernels.put(template.replace("\u0000", u.group(2)), f.getFileName().toString());
                }
            }
            assertEquals(-1, at, f + ": an FK_ALLOW_LMEM block without #endif");
        }
        return new Marked(kernels, blocks);
    }

    /** Macros with one parameter P whose body defines kernels `name##P`: the names, P as \0. */
    private static Map<String, List<String>> macros(List<String> lines) {
        Map<String, List<String>> out = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = MACRO.matcher(lines.get(i));
            if (!m.find()) continue;
            StringBuilder body = new StringBuilder(lines.get(i));
            while (lines.get(i).stripTrailing().endsWith("\\") && i + 1 < lines.size()) body.append('\n').append(lines.get(++i));
            Matcher k = Pattern.compile("\\bKERNEL\\s+void\\s+(\\w*)##" + m.group(2) + "\\s*\\(").matcher(body);
            List<String> names = new ArrayList<>();
            while (k.find()) names.add(k.group(1) + "\u0000");
            if (!names.isEmpty()) out.put(m.group(1), names);
        }
        return out;
    }

    /** lmem.h's table: kernel -> file (each row with a reason). */
    static Map<String, String> listed() throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (String l : Files.readAllLines(KERNELS.resolve("include/lmem.h"), StandardCharsets.UTF_8)) {
            Matcher m = ROW.matcher(l);
            if (m.matches() && !m.group(1).equals("kernel")) {
                assertNull(out.put(m.group(1), m.group(2)), "lmem.h lists " + m.group(1) + " twice");
                assertTrue(m.group(3).length() > 10, "lmem.h gives " + m.group(1) + " a reason");
            }
        }
        return out;
    }

    @Test
    void theListAndTheBlocksNameTheSameKernels() throws IOException {
        Map<String, String> marked = marked().kernels(), listed = listed();
        Set<String> unlisted = new HashSet<>(marked.keySet()), unmarked = new HashSet<>(listed.keySet());
        unlisted.removeAll(listed.keySet());
        unmarked.removeAll(marked.keySet());
        assertTrue(unlisted.isEmpty(), "inside #if FK_ALLOW_LMEM but not in include/lmem.h (add each with its reason): " + unlisted);
        assertTrue(unmarked.isEmpty(), "in include/lmem.h but not inside an #if FK_ALLOW_LMEM block: " + unmarked);
        assertEquals(marked, listed, "lmem.h names each kernel's file");
    }

    /** The parser above sees what the build's awk (cuda/lmem-source) sees: the same count of blocks. */
    @Test
    void lmemSourceFindsTheSameBlocks(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Process p = new ProcessBuilder("bash", KERNELS.resolve("cuda/lmem-source").toString(), tmp.resolve("src").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), "lmem-source: " + out);
        int blocks = marked().blocks();
        assertEquals(String.valueOf(blocks), out, "blocks counted by lmem-source");
        assertEquals(blocks > 0, Files.exists(tmp.resolve("src/flowkernels-lmem.cu")), "the lmem module's source exists iff there are blocks");
    }

    /**
     * Where nvcc built the kernels: each listed kernel is a symbol of flowkernels-lmem.fatbin and
     * not of flowkernels.fatbin (the SASS images are not compressed, so their symbol tables show),
     * and the second module exists iff the list is not empty.
     */
    @Test
    void theBuildPutsTheListedKernelsInTheSecondModule() throws IOException {
        byte[] strict = CudaDevices.fatbin(), lmem = CudaDevices.lmemFatbin();
        // user_field.cl and user_potential.cl compile only into a user snippet's program (FK_USER_FIELD, FK_USER_POTENTIAL), never into the fatbins
        Set<String> listed = new HashSet<>();
        listed().forEach((kernel, file) -> { if (!file.startsWith("user_")) listed.add(kernel); });
        if (strict == null) {
            assertNull(lmem, "no flowkernels.fatbin (nvcc was not found), so no lmem module either");
            System.out.println("[lmem] the fatbins were not built here: only the list against the sources is checked");
            return;
        }
        assertEquals(!listed.isEmpty(), lmem != null, "flowkernels-lmem.fatbin exists iff lmem.h lists kernels");
        Set<String> strictSymbols = symbols(strict);
        assertTrue(strictSymbols.contains("philox_fill"), "the strict module's symbols are readable (philox_fill)");
        for (String k : listed) {
            assertFalse(strictSymbols.contains(k), k + " is in flowkernels.fatbin, which FK_ALLOW_LMEM=0 should exclude");
            assertTrue(symbols(lmem).contains(k), k + " is missing from flowkernels-lmem.fatbin");
        }
        assertFalse(symbols(lmem).contains("philox_fill"), "the lmem module holds only the listed kernels (philox_fill is not)");
    }

    /** NUL-delimited printable strings of a binary (ELF string tables). */
    static Set<String> symbols(byte[] bin) {
        Set<String> out = new HashSet<>();
        int start = 0;
        for (int i = 0; i < bin.length; i++) {
            if (bin[i] == 0) {
                if (i - start >= 3) out.add(new String(bin, start, i - start, StandardCharsets.ISO_8859_1));
                start = i + 1;
            } else if (bin[i] < 0x21 || bin[i] > 0x7e) start = i + 1;
        }
        return out;
    }
}
