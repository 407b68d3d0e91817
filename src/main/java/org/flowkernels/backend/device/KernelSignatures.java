package org.flowkernels.backend.device;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.flowkernels.spi.Buffer;
import org.flowkernels.spi.Matrix;

/**
 * The two readings of a {@link Kernels} record: its C parameter list (for contract.h) and the
 * values a launch passes, in the same order, from the same components.
 */
final class KernelSignatures {
    private KernelSignatures() {}

    /** The argument records and groups of {@link Kernels}, by name. */
    static List<Class<?>> declared() {
        List<Class<?>> out = new ArrayList<>();
        for (Class<?> c : Kernels.class.getDeclaredClasses())
            if (c.isRecord() && (Kernels.Args.class.isAssignableFrom(c) || Kernels.Group.class.isAssignableFrom(c))) out.add(c);
        out.sort(Comparator.comparing(KernelSignatures::name));
        return out;
    }

    /** The kernel (or group) name a record declares. */
    static String name(Class<?> record) {
        Kernels.Name n = record.getAnnotation(Kernels.Name.class);
        if (n == null) throw new IllegalStateException(record.getName() + " lacks @Kernels.Name");
        return n.value();
    }

    /** {@code #define NAME_ARGS ...} and {@code #define NAME_PASS ...} for one record. */
    static String defines(Class<?> record) {
        List<String> params = new ArrayList<>(), names = new ArrayList<>();
        String[] local = {null};
        collect(record, params, names, local);
        String macro = name(record).toUpperCase(Locale.ROOT);
        return "#define " + macro + "_ARGS " + String.join(", ", params) + (local[0] == null ? "" : " LOCAL_ARG(REAL, " + local[0] + ")")
                + "\n#define " + macro + "_PASS " + String.join(", ", names) + "\n";
    }

    private static void collect(Class<?> record, List<String> params, List<String> names, String[] local) {
        for (RecordComponent c : record.getRecordComponents()) {
            Class<?> t = c.getType();
            String name = cName(c.getName());
            if (local[0] != null) throw new IllegalStateException(record.getName() + ": local memory must be the last argument");
            if (t.isRecord() && Kernels.Group.class.isAssignableFrom(t)) {
                collect(t, params, names, local);
                continue;
            }
            if (t == Kernels.LocalBytes.class) {
                local[0] = name;
                continue;
            }
            String type;
            if (t == Buffer.class || t == Matrix.class) {
                String element = c.isAnnotationPresent(Kernels.Ints.class) ? "int"
                        : c.isAnnotationPresent(Kernels.Words.class) ? "uint" : "REAL";
                type = "GLOBAL " + (c.isAnnotationPresent(Kernels.In.class) ? "const " : "") + element + "*";
            } else if (t == int.class) {
                type = c.isAnnotationPresent(Kernels.Unsigned.class) ? "uint" : "int";
            } else if (t == float.class) {
                type = "REAL";
            } else if (t == long.class) {
                type = "long";
            } else {
                throw new IllegalStateException(record.getName() + "." + c.getName() + ": no C type for " + t.getName());
            }
            params.add(type + " " + name);
            names.add(name);
        }
    }

    /** camelCase to snake_case; an all-capitals name (D, P) stays as it is. */
    static String cName(String java) {
        if (java.equals(java.toUpperCase(Locale.ROOT))) return java;
        return java.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    private static final Map<Class<?>, RecordComponent[]> COMPONENTS = new ConcurrentHashMap<>();

    /** The launch values of a record, in declaration order: buffers (from matrices too), Integer, Float, Long, LocalBytes. */
    static Object[] values(Record args) {
        List<Object> out = new ArrayList<>();
        flatten(args, out);
        return out.toArray();
    }

    private static void flatten(Record r, List<Object> out) {
        for (RecordComponent c : COMPONENTS.computeIfAbsent(r.getClass(), Class::getRecordComponents)) {
            Object v;
            try {
                v = c.getAccessor().invoke(r);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("reading " + r.getClass().getSimpleName() + "." + c.getName(), e);
            }
            if (v == null)
                throw new IllegalArgumentException(name(r.getClass()) + ": argument " + c.getName() + " is null");
            if (v instanceof Kernels.Group && v instanceof Record g) flatten(g, out);
            else out.add(v instanceof Matrix m ? m.buffer() : v);
        }
    }

    /** Every record's macros, for the header. */
    static String all() {
        StringBuilder s = new StringBuilder();
        for (Class<?> c : declared()) s.append(defines(c));
        return s.toString();
    }

    static List<String> names() {
        return Arrays.asList(declared().stream().map(KernelSignatures::name).toArray(String[]::new));
    }
}
