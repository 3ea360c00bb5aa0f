package dev.mlv.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** SQL text with its bind values kept side by side, so user values are always bound, never concatenated. */
public final class SqlBuilder {
    private final StringBuilder sql = new StringBuilder();
    private final List<Object> params = new ArrayList<>();

    public SqlBuilder sql(String text) {
        sql.append(text);
        return this;
    }

    /** Appends {@code text} (which holds one {@code ?}) and binds {@code value} to it. */
    public SqlBuilder sql(String text, Object value) {
        sql.append(text);
        params.add(value);
        return this;
    }

    public SqlBuilder bind(Object value) {
        params.add(value);
        return this;
    }

    /** Appends {@code (?, ?, …)} binding each value. */
    public SqlBuilder in(Collection<?> values) {
        sql.append('(');
        int i = 0;
        for (Object v : values) {
            if (i++ > 0) sql.append(", ");
            sql.append('?');
            params.add(v);
        }
        sql.append(')');
        return this;
    }

    public String text() {
        return sql.toString();
    }

    public List<Object> params() {
        return params;
    }

    public PreparedStatement prepare(Connection c) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql.toString());
        Jdbc.bind(ps, params);
        return ps;
    }

    @Override
    public String toString() {
        return sql + " " + params;
    }
}
