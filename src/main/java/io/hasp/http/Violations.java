package io.hasp.http;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.MatrixParam;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * The constraint violations of one request, as a client reads them: each field (a body member such as
 * {@code names[1]}, named as the client wrote it even when the record nests it with {@link JsonUnwrapped}, or a
 * parameter such as {@code id}) with the constraint's message, sorted by field.
 *
 * @param reason {@code invalid-name} when every violation is a {@link SafeName}, {@code invalid-body} when one is in
 *               the body, else {@code invalid-request}
 * @param detail every violation as "field message", joined
 * @param list   every violation as {@code {"field", "message"}}
 */
record Violations(String reason, String detail, List<Map<String, String>> list) {

    static Violations of(Set<ConstraintViolation<?>> violations, Method method) {
        List<Map<String, String>> list = violations.stream()
                .map(v -> Map.of("field", field(v.getPropertyPath(), method), "message", v.getMessage()))
                .sorted(Comparator.<Map<String, String>, String>comparing(m -> m.get("field"))
                        .thenComparing(m -> m.get("message")))
                .toList();
        String detail = list.stream().map(m -> m.get("field") + " " + m.get("message"))
                .collect(Collectors.joining("; "));
        String reason;
        if (violations.stream().allMatch(v -> v.getConstraintDescriptor().getAnnotation() instanceof SafeName)) {
            reason = "invalid-name";
        } else if (violations.stream().anyMatch(v -> inBody(v.getPropertyPath(), method))) {
            reason = "invalid-body";
        } else {
            reason = "invalid-request";
        }
        return new Violations(reason, detail, list);
    }

    /**
     * The field a client knows: the path inside the body below the body parameter, or the parameter's name in the
     * request ({@code @PathParam("id")} is {@code id}; the body itself is {@code body}).
     */
    private static String field(Path path, Method method) {
        StringBuilder field = new StringBuilder();
        String parameter = null;
        Class<?> type = null;
        for (Path.Node node : path) {
            if (node.getKind() == ElementKind.PARAMETER) {
                int index = node.as(Path.ParameterNode.class).getParameterIndex();
                parameter = requestName(index, method, node.getName());
                type = method == null ? null : method.getParameterTypes()[index];
            } else if (node.getKind() == ElementKind.PROPERTY) {
                Field member = member(type, node.getName());
                type = member == null ? null : member.getType();
                if (member == null || !member.isAnnotationPresent(JsonUnwrapped.class)) {
                    field.append(field.length() > 0 ? "." : "").append(node.getName());
                }
            }
            if (node.getIndex() != null && node.getKind() != ElementKind.PARAMETER) {
                field.append('[').append(node.getIndex()).append(']');
            } else if (node.getKey() != null) {
                field.append('[').append(node.getKey()).append(']');
            }
        }
        if (field.length() > 0) {
            return field.toString();
        }
        return parameter != null ? parameter : "request";
    }

    /** The field behind member {@code name} of record {@code type} (where Jackson's annotations are). */
    private static Field member(Class<?> type, String name) {
        if (type == null || !type.isRecord()) {
            return null;
        }
        try {
            return type.getDeclaredField(name);
        } catch (NoSuchFieldException e) {
            return null;
        }
    }

    private static boolean inBody(Path path, Method method) {
        for (Path.Node node : path) {
            if (node.getKind() == ElementKind.PARAMETER) {
                return method == null || requestAnnotation(
                        method.getParameters()[node.as(Path.ParameterNode.class).getParameterIndex()]) == null;
            }
        }
        return false;
    }

    private static String requestName(int index, Method method, String javaName) {
        if (method == null || index >= method.getParameterCount()) {
            return javaName;
        }
        Parameter p = method.getParameters()[index];
        Object annotation = requestAnnotation(p);
        if (annotation instanceof PathParam a) {
            return a.value();
        }
        if (annotation instanceof QueryParam a) {
            return a.value();
        }
        if (annotation instanceof HeaderParam a) {
            return a.value();
        }
        return javaName;
    }

    /** The annotation that takes the parameter from the request's URI or headers; null for the body. */
    private static Object requestAnnotation(Parameter p) {
        for (Class<? extends java.lang.annotation.Annotation> type : List.of(PathParam.class, QueryParam.class,
                HeaderParam.class, CookieParam.class, FormParam.class, MatrixParam.class, Context.class)) {
            if (p.isAnnotationPresent(type)) {
                return p.getAnnotation(type);
            }
        }
        return null;
    }
}
