package dev.mlv.data;

import dev.mlv.errors.MlvException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rules of {@code .mlvignore} files, as DVC's {@code .dvcignore}: files and folders that {@code add},
 * {@code status} and {@code checkout} leave out of tracked directories, written in {@code .gitignore}'s syntax.
 *
 * <p>A {@code .mlvignore} applies to the folder holding it and everything below. Blank lines and lines starting with
 * {@code #} are skipped; {@code !} re-includes; a trailing {@code /} matches folders only; a pattern with a {@code /}
 * before its end is relative to the file's folder, one without matches a name at any depth; {@code *}, {@code ?} and
 * {@code [...]} never match {@code /}, {@code **} matches any number of folders; {@code \} escapes the next character.
 * Within a file the last matching rule decides; a deeper file's decision wins over an outer one's. A folder left out
 * is not entered, so nothing below it can be re-included, as with git.
 *
 * <p>Instances are immutable: a chain from the repository's top down to one folder, which {@link #enter} extends.
 */
public final class IgnoreRules {
    public static final String FILE_NAME = ".mlvignore";
    /** No rules at all: what a repository without {@code .mlvignore} files uses, at no cost per file. */
    static final IgnoreRules NONE = new IgnoreRules(null, "", List.of());

    /** The rule that decided a path: its file (relative to the repository), line, text, and whether it re-includes. */
    public record Match(String source, int line, String pattern, boolean negated) {
        public boolean ignored() {
            return !negated;
        }
    }

    private record Rule(Pattern regex, boolean negated, boolean foldersOnly, Match match) {
    }

    private final IgnoreRules outer;
    /** The folder of these rules relative to the repository, with a trailing {@code /} ("" for its top). */
    private final String base;
    private final List<Rule> rules;

    private IgnoreRules(IgnoreRules outer, String base, List<Rule> rules) {
        this.outer = outer;
        this.base = base;
        this.rules = rules;
    }

    /** True when no rule applies anywhere in the chain, so callers can skip building paths to test. */
    boolean isEmpty() {
        return this == NONE;
    }

    /**
     * These rules followed by those of {@code folder}'s {@code .mlvignore}, if it has one; {@code folderRel} is the
     * folder relative to the repository ("" for its top, else without a trailing {@code /}).
     */
    IgnoreRules enter(Path folder, String folderRel) {
        Path file = folder.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) return this;
        String base = folderRel.isEmpty() ? "" : folderRel + "/";
        List<Rule> parsed = parse(file, base + FILE_NAME);
        return parsed.isEmpty() ? this : new IgnoreRules(this, base, parsed);
    }

    /** The rules that apply inside {@code folder} (inside {@code root}): those of every {@code .mlvignore} from the top down to it. */
    static IgnoreRules forFolder(Path root, Path folder) {
        IgnoreRules rules = NONE.enter(root, "");
        Path rel = root.relativize(folder);
        if (rel.toString().isEmpty()) return rules;
        StringBuilder at = new StringBuilder();
        for (Path segment : rel) {
            if (at.length() > 0) at.append('/');
            at.append(segment);
            rules = rules.enter(root.resolve(at.toString()), at.toString());
        }
        return rules;
    }

    /** True when the rules leave out {@code relpath} (relative to the repository), a folder or a file, itself. */
    boolean ignores(String relpath, boolean folder) {
        Match m = decide(relpath, folder);
        return m != null && m.ignored();
    }

    /** The rule that decides {@code relpath} itself (its folders aside), or null when none matches it. */
    Match decide(String relpath, boolean folder) {
        for (IgnoreRules r = this; r != null && r != NONE; r = r.outer) {
            if (!relpath.startsWith(r.base)) continue;
            String inside = relpath.substring(r.base.length());
            for (int i = r.rules.size() - 1; i >= 0; i--) {
                Rule rule = r.rules.get(i);
                if (rule.foldersOnly() && !folder) continue;
                if (rule.regex().matcher(inside).matches()) return rule.match();
            }
        }
        return null;
    }

    /**
     * Why {@code relpath} (relative to {@code root}) is left out, or kept by a {@code !} rule: the rule that decides
     * it or, when one of its folders is left out, the rule that leaves out that folder. Empty when no rule matches.
     */
    public static Optional<Match> check(Path root, String relpath, boolean folder) {
        String[] segments = relpath.split("/");
        IgnoreRules rules = NONE.enter(root, "");
        String path = "";
        for (int i = 0; i < segments.length; i++) {
            path = i == 0 ? segments[0] : path + "/" + segments[i];
            boolean last = i == segments.length - 1;
            Match m = rules.decide(path, !last || folder);
            if (last || (m != null && m.ignored())) return Optional.ofNullable(m);
            rules = rules.enter(root.resolve(path), path);
        }
        return Optional.empty();
    }

    private static List<Rule> parse(Path file, String source) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + source + ": " + e.getMessage(), e);
        }
        List<Rule> rules = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            Rule r = rule(lines.get(n), source, n + 1);
            if (r != null) rules.add(r);
        }
        return List.copyOf(rules);
    }

    /** One line as a rule, or null for a blank line or a comment. */
    private static Rule rule(String line, String source, int number) {
        String p = stripTrailingSpaces(line);
        if (p.isEmpty() || p.startsWith("#")) return null;
        boolean negated = p.startsWith("!");
        if (negated) p = p.substring(1);
        boolean foldersOnly = p.endsWith("/") && !p.endsWith("\\/");
        if (foldersOnly) p = p.substring(0, p.length() - 1);
        if (p.isEmpty() || p.equals("/")) return null;
        boolean anchored = p.indexOf('/') >= 0;
        if (p.startsWith("/")) p = p.substring(1);
        Pattern regex;
        try {
            regex = Pattern.compile((anchored ? "" : "(?:.*/)?") + translate(p), Pattern.DOTALL);
        } catch (RuntimeException e) {
            throw MlvException.invalid(source + ":" + number + ": cannot read the pattern '" + line.strip() + "'");
        }
        return new Rule(regex, negated, foldersOnly, new Match(source, number, line.strip(), negated));
    }

    private static String stripTrailingSpaces(String line) {
        int end = line.length();
        while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t' || line.charAt(end - 1) == '\r')
                && !(end >= 2 && line.charAt(end - 2) == '\\')) {
            end--;
        }
        return line.substring(0, end);
    }

    /** A glob (without its {@code !}, trailing {@code /} or leading {@code /}) as a regular expression over whole paths. */
    private static String translate(String glob) {
        StringBuilder re = new StringBuilder();
        int n = glob.length();
        for (int i = 0; i < n; ) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < n && glob.charAt(i + 1) == '*'
                    && (i == 0 || glob.charAt(i - 1) == '/') && (i + 2 == n || glob.charAt(i + 2) == '/')) {
                if (i + 2 == n) {
                    re.append(".*"); // trailing "/**": everything inside
                    i += 2;
                } else {
                    re.append("(?:.*/)?"); // "**/": any number of folders, none included
                    i += 3;
                }
            } else if (c == '*') {
                re.append("[^/]*");
                while (i < n && glob.charAt(i) == '*') i++; // other runs of '*' are one '*'
            } else if (c == '?') {
                re.append("[^/]");
                i++;
            } else if (c == '[' && classEnd(glob, i) > 0) {
                int end = classEnd(glob, i);
                re.append(characterClass(glob.substring(i + 1, end)));
                i = end + 1;
            } else if (c == '\\' && i + 1 < n) {
                re.append(Pattern.quote(String.valueOf(glob.charAt(i + 1))));
                i += 2;
            } else {
                re.append(Character.isLetterOrDigit(c) ? String.valueOf(c) : Pattern.quote(String.valueOf(c)));
                i++;
            }
        }
        return re.toString();
    }

    /** The index of the {@code ]} closing the bracket expression opened at {@code open}, or -1 when none does. */
    private static int classEnd(String glob, int open) {
        int j = open + 1;
        if (j < glob.length() && (glob.charAt(j) == '!' || glob.charAt(j) == '^')) j++;
        if (j < glob.length() && glob.charAt(j) == ']') j++; // a ']' first is a member
        while (j < glob.length() && glob.charAt(j) != ']') j++;
        return j < glob.length() ? j : -1;
    }

    /** A bracket expression's body as a Java character class that, as in git, never matches {@code /}. */
    private static String characterClass(String body) {
        StringBuilder re = new StringBuilder("[");
        int first = 0;
        if (body.startsWith("!") || body.startsWith("^")) {
            re.append('^');
            first = 1;
        }
        for (int i = first; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '-' && i > first && i < body.length() - 1) re.append('-'); // a range; first or last it is a member
            else if (Character.isLetterOrDigit(c)) re.append(c);
            else re.append('\\').append(c);
        }
        return re.append("&&[^/]]").toString();
    }
}
