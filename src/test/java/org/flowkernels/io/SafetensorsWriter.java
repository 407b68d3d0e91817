package org.flowkernels.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny safetensors writer for the tests, independent of {@link Safetensors}: the header JSON
 * is written by hand, any dtype's raw bytes can be given, and nothing is checked, so that
 * broken files can be made too.
 */
public final class SafetensorsWriter {
    private final List<String> entries = new ArrayList<>();
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();
    private String metadata;

    /** Appends a tensor whose bytes follow the previous one's. */
    public SafetensorsWriter add(String name, String dtype, int[] shape, byte[] bytes) {
        int begin = data.size();
        data.writeBytes(bytes);
        return entry(name, dtype, shape, begin, data.size());
    }

    /** A header entry with the given offsets, whatever the data holds. */
    SafetensorsWriter entry(String name, String dtype, int[] shape, long begin, long end) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < shape.length; i++) s.append(i > 0 ? "," : "").append(shape[i]);
        entries.add("\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":[" + s + "],\"data_offsets\":[" + begin + "," + end + "]}");
        return this;
    }

    SafetensorsWriter metadata(String json) {
        metadata = json;
        return this;
    }

    /** Raw bytes appended to the data without a header entry. */
    SafetensorsWriter raw(byte[] bytes) {
        data.writeBytes(bytes);
        return this;
    }

    String header() {
        List<String> all = new ArrayList<>();
        if (metadata != null) all.add("\"__metadata__\":" + metadata);
        all.addAll(entries);
        return "{" + String.join(",", all) + "}";
    }

    public byte[] bytes() {
        return file(header(), data.toByteArray());
    }

    /** Length, header (space-padded to 8 bytes), data. */
    static byte[] file(String header, byte[] data) {
        StringBuilder h = new StringBuilder(header);
        while (h.toString().getBytes(StandardCharsets.UTF_8).length % 8 != 0) h.append(' ');
        byte[] hb = h.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + hb.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(hb.length).put(hb).put(data);
        return b.array();
    }

    public static byte[] f32(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return b.array();
    }

    public static byte[] f64(double... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) b.putDouble(x);
        return b.array();
    }

    static byte[] i16(int... v) {
        ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) b.putShort((short) x);
        return b.array();
    }

    public static byte[] i64(long... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) b.putLong(x);
        return b.array();
    }
}
