package dev.mlv.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Small helpers over plain JDBC. */
public final class Jdbc {
    private Jdbc() {
    }

    /** Maps one row of a result set. */
    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    public static void bind(PreparedStatement ps, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) bind(ps, i + 1, params.get(i));
    }

    public static void bind(PreparedStatement ps, int index, Object v) throws SQLException {
        if (v == null) ps.setNull(index, Types.NULL); // untyped: PostgreSQL infers the column type
        else if (v instanceof String s) ps.setString(index, s);
        else if (v instanceof Long l) ps.setLong(index, l);
        else if (v instanceof Integer n) ps.setInt(index, n);
        else if (v instanceof Double d) ps.setDouble(index, d);
        else throw new IllegalArgumentException("Unsupported bind value " + v.getClass());
    }

    public static <T> List<T> query(Connection c, String sql, List<Object> params, RowMapper<T> mapper) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) out.add(mapper.map(rs));
                return out;
            }
        }
    }

    public static <T> List<T> query(Connection c, SqlBuilder sql, RowMapper<T> mapper) throws SQLException {
        return query(c, sql.text(), sql.params(), mapper);
    }

    public static <T> Optional<T> queryOne(Connection c, String sql, List<Object> params, RowMapper<T> mapper) throws SQLException {
        List<T> rows = query(c, sql, params, mapper);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    public static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, java.util.Arrays.asList(params));
            return ps.executeUpdate();
        }
    }

    /** A nullable INTEGER column. */
    public static Integer getInt(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    /** A nullable BIGINT column. */
    public static Long getLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }
}
