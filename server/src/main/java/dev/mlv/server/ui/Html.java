package dev.mlv.server.ui;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * A page of the web UI being written. Every text that comes from a user (names, tags, parameters, messages) goes
 * through {@link #esc} (tables and paragraphs call it); {@link #link} encodes query values. Only this class writes
 * markup.
 */
final class Html {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final String STYLE = "body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2433}"
            + "header{background:#1d2433;color:#fff;padding:10px 24px}header a{color:#fff;text-decoration:none;font-weight:600}"
            + "main{padding:8px 24px 32px}h1{font-size:20px;margin:16px 0 4px}h2{font-size:16px;margin:24px 0 6px}"
            + "table{border-collapse:collapse;margin:4px 0}th,td{border-bottom:1px solid #e3e6ec;padding:4px 10px;text-align:left;"
            + "vertical-align:top}th{background:#f5f6f8;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}"
            + "code{font:12px ui-monospace,monospace;background:#f5f6f8;padding:1px 4px}.muted{color:#6b7385}"
            + ".bad{color:#b42318;font-weight:600}.ok{color:#067647;font-weight:600}nav{margin:8px 0;color:#6b7385}.nw{white-space:nowrap}form{margin:16px 0 0}pre{font:12px ui-monospace,monospace;background:#f5f6f8;padding:8px;max-width:100%;overflow:auto}";

    private final StringBuilder b = new StringBuilder(4096);

    Html(String title, String... breadcrumbs) {
        b.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
                .append(" · mlv</title><style>").append(STYLE).append("</style></head><body><header><a href=\"/ui\">mlv</a>")
                .append("</header><main>");
        if (breadcrumbs.length > 0) b.append("<nav>").append(String.join(" › ", breadcrumbs)).append("</nav>");
        b.append("<h1>").append(esc(title)).append("</h1>");
    }

    /** Escapes text for HTML content and attribute values. */
    static String esc(Object o) {
        if (o == null) return "";
        String s = o.toString();
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** {@code <a href="path?k=v&…">text</a>}, query values encoded; {@code kv} alternates names and values. */
    static String link(String text, String path, String... kv) {
        return "<a href=\"" + esc(href(path, kv)) + "\">" + esc(text) + "</a>";
    }

    /** {@code path?k=v&…}, query values encoded (not yet escaped for HTML). */
    static String href(String path, String... kv) {
        StringBuilder href = new StringBuilder(path);
        for (int i = 0; i + 1 < kv.length; i += 2) {
            href.append(i == 0 ? '?' : '&').append(kv[i]).append('=').append(URLEncoder.encode(kv[i + 1], StandardCharsets.UTF_8));
        }
        return href.toString();
    }

    /** Significant digits a table shows of a double. */
    static final int SIGNIFICANT = 6;

    /** A time in milliseconds since the epoch, kept on one line; empty for none. */
    static Markup time(Long millis) {
        return new Markup(millis == null || millis <= 0 ? "" : "<span class=\"nw\">" + TIME.format(Instant.ofEpochMilli(millis)) + "</span>");
    }

    /** {@code 1 h 02 min}, {@code 3.2 s}. */
    static String duration(long start, Long end) {
        if (end == null || end < start) return "";
        long ms = end - start;
        if (ms < 60_000) return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        long min = ms / 60_000;
        return min < 60 ? min + " min" : String.format(Locale.ROOT, "%d h %02d min", min / 60, min % 60);
    }

    /** Markup written by this class (a link, a time): not escaped again. */
    static Markup markup(String html) {
        return new Markup(html);
    }

    record Markup(String html) {
    }

    /**
     * A small line chart of {@code values} in step order, as inline SVG (no script); non-finite values are left out.
     * Empty markup for fewer than two points.
     */
    static Markup sparkline(List<Double> values) {
        List<Double> v = values.stream().filter(Double::isFinite).toList();
        if (v.size() < 2) return new Markup("");
        double min = v.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double max = v.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        double span = max > min ? max - min : 1;
        int w = 200;
        int h = 36;
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < v.size(); i++) {
            double x = 2 + (w - 4) * (double) i / (v.size() - 1);
            double y = h - 2 - (h - 4) * (v.get(i) - min) / span;
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        return new Markup("<svg width=\"" + w + "\" height=\"" + h + "\" role=\"img\" aria-label=\"" + v.size()
                + " values from " + esc(min) + " to " + esc(max) + "\"><polyline fill=\"none\" stroke=\"#2e6fd8\" "
                + "stroke-width=\"1.5\" points=\"" + points.toString().strip() + "\"/></svg>");
    }

    /** One run's line on a {@link #chart}: its label and its (step, value) points in step order. */
    record Series(String label, List<double[]> points) {
    }

    private static final String[] COLORS = {"#2e6fd8", "#d8582e", "#2ea44f", "#8a3ffc", "#c9a100", "#0f9fb0", "#d62f7a",
            "#5b6472", "#7f4f24", "#1d2433"};

    /**
     * A line chart of one metric across runs, as inline SVG (no script): x is the step, y the value, one colored line
     * per series (a dot for a single point), the axes' ranges written at their ends and a legend below. Non-finite
     * values are left out; empty markup when no series has a point.
     */
    static Markup chart(String title, List<Series> series) {
        double minX = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY, minY = minX, maxY = maxX;
        for (Series s : series) {
            for (double[] p : s.points()) {
                if (!Double.isFinite(p[1])) continue;
                minX = Math.min(minX, p[0]);
                maxX = Math.max(maxX, p[0]);
                minY = Math.min(minY, p[1]);
                maxY = Math.max(maxY, p[1]);
            }
        }
        if (minX > maxX) return new Markup("");
        int w = 480, h = 200, left = 70, right = 10, top = 10, bottom = 24;
        double spanX = maxX > minX ? maxX - minX : 1, spanY = maxY > minY ? maxY - minY : 1;
        StringBuilder svg = new StringBuilder("<figure style=\"display:inline-block;margin:0 24px 16px 0\"><figcaption><b>")
                .append(esc(title)).append("</b></figcaption><svg width=\"").append(w).append("\" height=\"").append(h)
                .append("\" role=\"img\" aria-label=\"").append(esc(title)).append(" by step\">")
                .append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#e3e6ec\"/>",
                        left, top, w - left - right, h - top - bottom))
                .append(axisLabel(left - 4, top + 10, "end", maxY)).append(axisLabel(left - 4, h - bottom, "end", minY))
                .append(axisLabel(left, h - 6, "start", minX)).append(axisLabel(w - right, h - 6, "end", maxX));
        StringBuilder legend = new StringBuilder("<br>");
        for (int i = 0; i < series.size(); i++) {
            String color = COLORS[i % COLORS.length];
            StringBuilder pts = new StringBuilder();
            int n = 0;
            for (double[] p : series.get(i).points()) {
                if (!Double.isFinite(p[1])) continue;
                double x = left + (w - left - right) * (p[0] - minX) / spanX;
                double y = h - bottom - (h - top - bottom) * (p[1] - minY) / spanY;
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                n++;
            }
            if (n == 1) {
                String[] xy = pts.toString().strip().split(",");
                svg.append("<circle cx=\"").append(xy[0]).append("\" cy=\"").append(xy[1]).append("\" r=\"3\" fill=\"").append(color).append("\"/>");
            } else if (n > 1) {
                svg.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"1.5\" points=\"")
                        .append(pts.toString().strip()).append("\"/>");
            }
            legend.append("<span class=\"nw\" style=\"margin-right:12px\"><span style=\"color:").append(color)
                    .append("\">&#9632;</span> ").append(esc(series.get(i).label())).append("</span> ");
        }
        return new Markup(svg.append("</svg>").append(legend).append("</figure>").toString());
    }

    private static String axisLabel(int x, int y, String anchor, double value) {
        String text = value == Math.rint(value) && Math.abs(value) < 1e15 ? String.valueOf((long) value)
                : new java.math.BigDecimal(String.format(Locale.ROOT, "%.4g", value)).stripTrailingZeros().toString();
        return "<text x=\"" + x + "\" y=\"" + y + "\" font-size=\"11\" fill=\"#6b7385\" text-anchor=\"" + anchor + "\">"
                + esc(text) + "</text>";
    }

    /** Markup written by this class, on its own (charts side by side). */
    Html raw(Markup m) {
        b.append(m.html());
        return this;
    }

    /** Text cells show at most {@value #MAX_CELL} characters (a long tag or parameter value ends in an ellipsis). */
    static final int MAX_CELL = 500;

    private static String shortened(String s) {
        return s.length() <= MAX_CELL ? s : s.substring(0, MAX_CELL) + "…";
    }

    Html h2(String title) {
        return element("<h2>", title, "</h2>");
    }

    Html text(Object text) {
        return element("<p>", text, "</p>");
    }

    /** Preformatted text (JSON), escaped. */
    Html pre(String text) {
        return element("<pre>", text, "</pre>");
    }

    /** An image from {@code src} (a same-origin URL made by the caller), at most the page's width. */
    Html image(String src, String alt) {
        b.append("<p><img style=\"max-width:100%;border:1px solid #e3e6ec\" src=\"").append(esc(src)).append("\" alt=\"")
                .append(esc(alt)).append("\"></p>");
        return this;
    }

    Html muted(Object text) {
        return element("<p class=\"muted\">", text, "</p>");
    }

    /** {@code open}, the text escaped, {@code close}. */
    private Html element(String open, Object text, String close) {
        b.append(open).append(esc(text)).append(close);
        return this;
    }

    /** A paragraph of markup made by this class. */
    Html line(Markup m) {
        b.append("<p>").append(m.html()).append("</p>");
        return this;
    }

    /**
     * The rest of a number's cell ({@code ">value"}): a double shortened to {@value #SIGNIFICANT} significant digits, as
     * MLflow's UI rounds metrics, with the exact value on hover when they differ.
     */
    static String number(Number n) {
        if (!(n instanceof Double || n instanceof Float) || Double.isNaN(n.doubleValue()) || Double.isInfinite(n.doubleValue())) {
            return ">" + esc(n);
        }
        java.math.BigDecimal exact = new java.math.BigDecimal(n.toString());
        java.math.BigDecimal d = exact.round(new java.math.MathContext(SIGNIFICANT)).stripTrailingZeros();
        java.math.BigDecimal abs = d.abs();
        String shown = d.signum() == 0 || abs.compareTo(java.math.BigDecimal.valueOf(1e-4)) >= 0
                && abs.compareTo(java.math.BigDecimal.valueOf(1e12)) < 0 ? d.toPlainString() : d.toString();
        return d.compareTo(exact) == 0 ? ">" + esc(shown) : " title=\"" + esc(n) + "\">" + esc(shown);
    }

    /**
     * A table; each cell is text (escaped, shortened to {@value #MAX_CELL} characters) or {@link Markup}. Numbers are
     * right-aligned. An empty table shows {@code empty} instead.
     */
    Html table(List<String> headers, List<List<Object>> rows, String empty) {
        if (rows.isEmpty()) return muted(empty);
        b.append("<table>");
        if (!headers.isEmpty()) {
            b.append("<tr>");
            for (String h : headers) b.append("<th>").append(esc(h)).append("</th>");
            b.append("</tr>");
        }
        for (List<Object> row : rows) {
            b.append("<tr>");
            for (Object c : row) {
                if (c instanceof Markup m) b.append("<td>").append(m.html());
                else if (c instanceof Number n) b.append("<td class=\"n\"").append(number(n));
                else b.append("<td>").append(esc(shortened(String.valueOf(c))));
                b.append("</td>");
            }
            b.append("</tr>");
        }
        b.append("</table>");
        return this;
    }

    /**
     * A search form: a GET of {@code action} with the hidden field {@code hiddenName=hiddenValue} and a text field
     * {@code name} holding {@code value}.
     */
    Html form(String action, String hiddenName, String hiddenValue, String name, String value, String placeholder) {
        startForm(action);
        b.append("<input type=\"hidden\" name=\"")
                .append(esc(hiddenName)).append("\" value=\"").append(esc(hiddenValue)).append("\"><input type=\"text\" size=\"60\" name=\"")
                .append(esc(name)).append("\" value=\"").append(esc(value)).append("\" placeholder=\"").append(esc(placeholder))
                .append("\"> <button type=\"submit\">Search runs</button></form>");
        return this;
    }

    /** Opens a GET form around what follows (a table of checkboxes); {@link #endForm} closes it. */
    Html startForm(String action) {
        b.append("<form method=\"get\" action=\"").append(esc(action)).append("\">");
        return this;
    }

    Html endForm(String button) {
        b.append("<p><button type=\"submit\">").append(esc(button)).append("</button></p></form>");
        return this;
    }

    /** A POST form of {@code action} (a same-origin URL made by the caller): its fields on one line and a button. */
    Html postForm(String action, String button, Markup... fields) {
        b.append("<form method=\"post\" action=\"").append(esc(action)).append("\"><p>");
        for (Markup f : fields) b.append(f.html()).append(' ');
        b.append("<button type=\"submit\">").append(esc(button)).append("</button></p></form>");
        return this;
    }

    /** A drop-down list of {@code options}, the first selected. */
    static Markup select(String name, List<String> options) {
        StringBuilder s = new StringBuilder("<select name=\"").append(esc(name)).append("\">");
        for (String o : options) s.append("<option>").append(esc(o)).append("</option>");
        return new Markup(s.append("</select>").toString());
    }

    /** A field the form sends as it is. */
    static Markup hidden(String name, String value) {
        return new Markup("<input type=\"hidden\" name=\"" + esc(name) + "\" value=\"" + esc(value) + "\">");
    }

    /** A text area of a few lines holding {@code value}. */
    static Markup textArea(String name, String value) {
        return new Markup("<textarea name=\"" + esc(name) + "\" rows=\"3\" cols=\"80\">" + esc(value) + "</textarea><br>");
    }

    /** A required text field. */
    static Markup textField(String name, String placeholder) {
        return new Markup("<input type=\"text\" size=\"40\" required name=\"" + esc(name) + "\" placeholder=\"" + esc(placeholder) + "\">");
    }

    /** A labelled checkbox: {@code name=value} is sent when it is ticked. */
    static Markup checkbox(String name, String value, String label) {
        return new Markup("<label>" + checkbox(name, value).html() + " " + esc(label) + "</label>");
    }

    /** A checkbox cell: {@code name=value} is sent when it is ticked. */
    static Markup checkbox(String name, String value) {
        return new Markup("<input type=\"checkbox\" name=\"" + esc(name) + "\" value=\"" + esc(value) + "\">");
    }

    /** Rows of name and value, without a header. */
    Html fields(List<List<Object>> rows) {
        return table(List.of(), rows, "");
    }

    String done() {
        return b.append("</main></body></html>").toString();
    }
}
