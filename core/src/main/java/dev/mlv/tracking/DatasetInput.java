package dev.mlv.tracking;

import java.util.List;

/** A dataset a run read, with input tags such as {@code mlflow.data.context} ("training", "eval"). */
public record DatasetInput(Dataset dataset, List<Tag> tags) {
    public static final String CONTEXT_TAG = "mlflow.data.context";
}
