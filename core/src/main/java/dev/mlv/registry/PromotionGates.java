package dev.mlv.registry;

import dev.mlv.errors.MlvException;
import dev.mlv.tracking.search.Clause;
import dev.mlv.tracking.search.EntityType;
import dev.mlv.tracking.search.SearchFilter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Promotion gates, evaluated against the candidate version's run (latest metric values, params) and the version
 * currently in the target stage. Requirements use the runs/search grammar ({@link SearchFilter}), restricted to
 * {@code metrics.<k> <op> <number>} and {@code params.<k> =|!= '<text>'}. "Better than current" takes a metric key,
 * higher is better; {@code <key>:min} means lower is better.
 */
public final class PromotionGates {
    private PromotionGates() {
    }

    /** The outcome of one gate. */
    public record Check(String gate, boolean passed, String detail) {
    }

    /** The metrics and params of a version's run. */
    public record RunValues(String version, Map<String, Double> metrics, Map<String, String> params) {
    }

    /** Says that metric {@code key} is missing from the candidate's run, and which it logged (all, or the closest). */
    static String notLogged(String key, RunValues candidate) {
        String said = "metric '" + key + "' was not logged by version " + candidate.version() + "'s run";
        if (candidate.metrics().isEmpty()) return said + " (it logged no metrics)";
        List<String> names = new ArrayList<>(new java.util.TreeSet<>(candidate.metrics().keySet()));
        String closest = names.stream().min(java.util.Comparator.comparingInt(n -> editDistance(n, key))).orElseThrow();
        if (editDistance(closest, key) <= Math.max(2, key.length() / 4)) return said + "; did you mean '" + closest + "'?";
        return said + " (it logged " + String.join(", ", names.size() > 10 ? names.subList(0, 10) : names)
                + (names.size() > 10 ? ", …" : "") + ")";
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            int[] cur = new int[b.length() + 1];
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            prev = cur;
        }
        return prev[b.length()];
    }

    /** Parses every requirement up front so a malformed one is an {@code INVALID_PARAMETER_VALUE} before anything runs. */
    public static void validate(List<String> requirements, List<String> betterThanCurrent) {
        for (String r : requirements) clauses(r);
        for (String k : betterThanCurrent) betterKey(k);
    }

    public static List<Check> evaluate(List<String> requirements, List<String> betterThanCurrent,
                                       RunValues candidate, RunValues current, String stage) {
        List<Check> out = new ArrayList<>();
        for (String r : requirements) {
            boolean passed = true;
            List<String> details = new ArrayList<>();
            for (Clause c : clauses(r)) {
                if (c.type() == EntityType.METRIC) {
                    Double v = candidate.metrics().get(c.key());
                    if (v == null) {
                        passed = false;
                        details.add(notLogged(c.key(), candidate));
                        continue;
                    }
                    boolean ok = compare(v, c.comparator(), c.number());
                    passed &= ok;
                    details.add(c.key() + " = " + fmt(v) + (ok ? " satisfies " : " does not satisfy ") + c.comparator().symbol()
                            + " " + fmt(c.number()));
                } else {
                    String v = candidate.params().get(c.key());
                    boolean eq = c.text().equals(v);
                    boolean ok = c.comparator() == dev.mlv.tracking.search.Comparator.EQ ? eq : !eq;
                    passed &= ok;
                    details.add("param " + c.key() + " = " + (v == null ? "(not logged)" : "'" + v + "'")
                            + (ok ? " satisfies " : " does not satisfy ") + c.comparator().symbol() + " '" + c.text() + "'");
                }
            }
            out.add(new Check(r, passed, String.join("; ", details)));
        }
        for (String raw : betterThanCurrent) {
            String key = betterKey(raw);
            boolean lowerIsBetter = raw.strip().toLowerCase(Locale.ROOT).endsWith(":min");
            String gate = "better than current " + stage + ": " + key + (lowerIsBetter ? " (lower is better)" : "");
            Double v = candidate.metrics().get(key);
            if (v == null) {
                out.add(new Check(gate, false, notLogged(key, candidate)));
                continue;
            }
            if (current == null) {
                out.add(new Check(gate, true, "no version is in " + stage + " to compare with"));
                continue;
            }
            Double cur = current.metrics().get(key);
            if (cur == null) {
                out.add(new Check(gate, true, "version " + current.version() + " in " + stage + " has no metric '" + key + "'"));
                continue;
            }
            boolean ok = lowerIsBetter ? v < cur : v > cur;
            out.add(new Check(gate, ok, key + " = " + fmt(v) + " (version " + candidate.version() + ") vs " + fmt(cur)
                    + " (version " + current.version() + " in " + stage + ")"));
        }
        return out;
    }

    private static List<Clause> clauses(String requirement) {
        if (requirement == null || requirement.isBlank()) throw MlvException.invalid("A requirement cannot be empty");
        List<Clause> cs = SearchFilter.parseRunFilter(requirement);
        for (Clause c : cs) {
            if (c.type() != EntityType.METRIC && c.type() != EntityType.PARAM) {
                throw MlvException.invalid("Invalid requirement '" + requirement
                        + "': only metrics.<key> <op> <number> and params.<key> = '<value>' are supported");
            }
            if (c.type() == EntityType.PARAM && c.comparator() != dev.mlv.tracking.search.Comparator.EQ
                    && c.comparator() != dev.mlv.tracking.search.Comparator.NE) {
                throw MlvException.invalid("Invalid requirement '" + requirement + "': params support only = and !=");
            }
        }
        return cs;
    }

    private static String betterKey(String raw) {
        if (raw == null || raw.isBlank()) throw MlvException.invalid("A require_better_than_current metric cannot be empty");
        String k = raw.strip();
        if (k.toLowerCase(Locale.ROOT).endsWith(":min")) k = k.substring(0, k.length() - 4);
        if (k.toLowerCase(Locale.ROOT).startsWith("metrics.")) k = k.substring("metrics.".length());
        if (k.isEmpty()) throw MlvException.invalid("Invalid require_better_than_current metric '" + raw + "'");
        return k;
    }

    private static boolean compare(double v, dev.mlv.tracking.search.Comparator op, double x) {
        return switch (op) {
            case EQ -> v == x;
            case NE -> v != x;
            case GT -> v > x;
            case GE -> v >= x;
            case LT -> v < x;
            case LE -> v <= x;
            default -> false;
        };
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
