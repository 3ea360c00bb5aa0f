package dev.mlv.client.env;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.client.http.RestClient;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;

/**
 * What a model was trained or served with: JVM vendor and version, OS and CPU architecture, the git commit (with a
 * dirty flag) of the working directory, and the application's dependencies as {@code group:artifact:version}.
 *
 * <p>The Java client stores it with every run as the artifact {@code environment.json} ({@link #toJson()}) and puts the
 * git commit in MLflow's {@code mlflow.source.git.commit} tag; logged models store the same JSON beside their files.
 */
public record Environment(String javaVersion, String javaVendor, String javaRuntime, String os, String osVersion,
                          String arch, int cpus, GitInfo git, List<String> dependencies) {
    public static final String ARTIFACT_NAME = "environment.json";

    /** The environment of this JVM, with git information for the current working directory. */
    public static Environment capture() {
        return capture(Path.of("").toAbsolutePath(), dependenciesFromClasspath());
    }

    /** The environment of this JVM with git information for {@code workDir} and the given dependency list. */
    public static Environment capture(Path workDir, List<String> dependencies) {
        return new Environment(System.getProperty("java.version"), System.getProperty("java.vendor"),
                System.getProperty("java.runtime.name", "") + " " + System.getProperty("java.runtime.version", ""),
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(), GitInfo.find(workDir).orElse(null), List.copyOf(dependencies));
    }

    /**
     * {@code group:artifact:version} of every jar on the class path (and on the {@code Class-Path} of their manifests,
     * as for {@code java -jar}), read from the jars' {@code META-INF/maven/.../pom.properties}; a jar without one is
     * listed by file name. Sorted, without duplicates.
     */
    public static List<String> dependenciesFromClasspath() {
        Set<String> result = new TreeSet<>();
        Set<Path> seen = new LinkedHashSet<>();
        List<Path> todo = new ArrayList<>();
        for (String key : new String[]{"java.class.path", "jdk.module.path"}) {
            String cp = System.getProperty(key);
            if (cp == null || cp.isBlank()) continue;
            for (String e : cp.split(Pattern.quote(File.pathSeparator))) if (!e.isBlank()) todo.add(Path.of(e));
        }
        while (!todo.isEmpty()) {
            Path p = todo.remove(todo.size() - 1).toAbsolutePath().normalize();
            if (!seen.add(p) || !Files.isRegularFile(p) || !p.toString().endsWith(".jar")) continue;
            try (JarFile jar = new JarFile(p.toFile())) {
                List<String> coords = pomCoordinates(jar);
                if (coords.isEmpty()) result.add(repositoryCoordinates(p));
                result.addAll(coords);
                Manifest mf = jar.getManifest();
                String extra = mf == null ? null : mf.getMainAttributes().getValue("Class-Path");
                if (extra != null) {
                    for (String rel : extra.trim().split("\\s+")) {
                        if (!rel.isEmpty() && !rel.contains(":")) todo.add(p.getParent().resolve(rel));
                    }
                }
            } catch (IOException | RuntimeException e) {
                result.add(repositoryCoordinates(p));
            }
        }
        return List.copyOf(result);
    }

    /**
     * {@code group:artifact:version} from a Maven repository path ({@code .../repository/org/x/a/1.0/a-1.0.jar}), for
     * jars built without {@code pom.properties}; else the file name.
     */
    static String repositoryCoordinates(Path jar) {
        String file = jar.getFileName().toString();
        Path versionDir = jar.getParent();
        Path artifactDir = versionDir == null ? null : versionDir.getParent();
        if (artifactDir != null && artifactDir.getParent() != null) {
            String version = versionDir.getFileName().toString();
            String artifact = artifactDir.getFileName().toString();
            if (file.startsWith(artifact + "-" + version)) {
                List<String> group = new ArrayList<>();
                for (Path d = artifactDir.getParent(); d != null && d.getFileName() != null; d = d.getParent()) {
                    String name = d.getFileName().toString();
                    if (name.equals("repository")) {
                        if (group.isEmpty()) break;
                        java.util.Collections.reverse(group);
                        return String.join(".", group) + ":" + artifact + ":" + version;
                    }
                    group.add(name);
                }
            }
        }
        return file;
    }

    private static List<String> pomCoordinates(JarFile jar) throws IOException {
        List<String> coords = new ArrayList<>();
        var entries = jar.entries();
        while (entries.hasMoreElements()) {
            ZipEntry e = entries.nextElement();
            String n = e.getName();
            if (n.startsWith("META-INF/maven/") && n.endsWith("/pom.properties")) {
                Properties props = new Properties();
                try (InputStream in = jar.getInputStream(e)) {
                    props.load(in);
                }
                String g = props.getProperty("groupId"), a = props.getProperty("artifactId"), v = props.getProperty("version");
                if (g != null && a != null && v != null) coords.add(g + ":" + a + ":" + v);
            }
        }
        return coords;
    }

    /**
     * The direct dependencies declared in a {@code pom.xml} as {@code group:artifact:version}, with {@code ${...}}
     * properties of that pom resolved (versions managed elsewhere are listed without a version).
     */
    public static List<String> dependenciesFromPom(Path pom) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setExpandEntityReferences(false);
            Document doc = f.newDocumentBuilder().parse(pom.toFile());
            Element project = doc.getDocumentElement();
            Map<String, String> props = new HashMap<>();
            Element properties = child(project, "properties");
            if (properties != null) {
                NodeList ps = properties.getChildNodes();
                for (int i = 0; i < ps.getLength(); i++) {
                    if (ps.item(i) instanceof Element p) props.put(p.getTagName(), p.getTextContent().trim());
                }
            }
            String version = text(project, "version");
            Element parent = child(project, "parent");
            if (version == null && parent != null) version = text(parent, "version");
            if (version != null) props.put("project.version", version);
            List<String> deps = new ArrayList<>();
            Element dependencies = child(project, "dependencies");
            if (dependencies != null) {
                NodeList ds = dependencies.getChildNodes();
                for (int i = 0; i < ds.getLength(); i++) {
                    if (!(ds.item(i) instanceof Element d) || !d.getTagName().equals("dependency")) continue;
                    String g = resolve(text(d, "groupId"), props), a = resolve(text(d, "artifactId"), props);
                    String v = resolve(text(d, "version"), props);
                    deps.add(g + ":" + a + (v == null ? "" : ":" + v));
                }
            }
            return deps;
        } catch (Exception e) {
            throw new IllegalArgumentException("Cannot read dependencies from " + pom + ": " + e.getMessage(), e);
        }
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) return e;
        }
        return null;
    }

    private static String text(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? null : e.getTextContent().trim();
    }

    private static String resolve(String s, Map<String, String> props) {
        if (s == null) return null;
        Matcher m = Pattern.compile("\\$\\{([^}]+)}").matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) m.appendReplacement(sb, Matcher.quoteReplacement(props.getOrDefault(m.group(1), m.group())));
        m.appendTail(sb);
        return sb.toString();
    }

    /** The JSON stored as {@code environment.json}. */
    public ObjectNode toJson() {
        ObjectNode n = RestClient.object();
        ObjectNode java = n.putObject("java");
        java.put("version", javaVersion).put("vendor", javaVendor).put("runtime", javaRuntime);
        n.putObject("os").put("name", os).put("version", osVersion).put("arch", arch).put("cpus", cpus);
        if (git != null) {
            ObjectNode g = n.putObject("git");
            g.put("commit", git.commit());
            if (git.branch() != null) g.put("branch", git.branch());
            if (git.dirty() != null) g.put("dirty", git.dirty());
        }
        var deps = n.putArray("dependencies");
        dependencies.forEach(deps::add);
        return n;
    }
}
