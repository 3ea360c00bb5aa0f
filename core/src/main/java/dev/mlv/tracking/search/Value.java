package dev.mlv.tracking.search;

import java.util.List;

/** The right-hand side of a clause: a number, a quoted string, or a parenthesised list of quoted strings. */
public sealed interface Value {
    record Number(double value) implements Value {
    }

    record Text(String value) implements Value {
    }

    record TextList(List<String> values) implements Value {
        public TextList {
            values = List.copyOf(values);
        }
    }
}
