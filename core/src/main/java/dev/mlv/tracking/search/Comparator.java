package dev.mlv.tracking.search;

/** The comparators of MLflow's search grammar. */
public enum Comparator {
    EQ("="), NE("!="), GT(">"), GE(">="), LT("<"), LE("<="), LIKE("LIKE"), ILIKE("ILIKE"), IN("IN"), NOT_IN("NOT IN");

    private final String symbol;

    Comparator(String symbol) {
        this.symbol = symbol;
    }

    public String symbol() {
        return symbol;
    }

    public boolean isList() {
        return this == IN || this == NOT_IN;
    }
}
