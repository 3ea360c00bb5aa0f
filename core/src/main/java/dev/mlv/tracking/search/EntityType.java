package dev.mlv.tracking.search;

/** What a search clause or order_by key talks about. */
public enum EntityType {
    METRIC, PARAM, TAG, ATTRIBUTE, DATASET
}
